"""Reading a service's database in tests and benchmarks: how many events its consumers
have taken in, and one query on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.db import create_engine
from motcua.settings import DatabaseSettings

__all__ = ["ABSORBED", "absorbed_at", "count_absorbed", "query"]

ABSORBED = "SELECT count(*) FROM processed_events WHERE consumer NOT LIKE '%.procedures'"
"""How many events a service's consumers have taken in, the catalogue's revisions apart
(tests and benchmarks publish those besides the events they count)."""


async def count_absorbed(conn: AsyncConnection) -> int:
    """`ABSORBED` on a connection to the service's database."""
    return int((await conn.execute(text(ABSORBED))).scalar() or 0)


async def absorbed_at(url: str) -> int:
    """`ABSORBED` on the database at `url`."""
    return int((await query(url, ABSORBED))[0][0])


async def query(url: str, sql: str, **params: Any) -> list[Any]:
    """The rows of one query on the database at `url` (on a connection of its own)."""
    engine = create_engine(DatabaseSettings(url=url, pool_size=1))
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()
