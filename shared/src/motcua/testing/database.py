"""Reading a service's database in tests and benchmarks: how many events its consumers
have taken in, one query on it, and the plans of the statements some code sends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.db import create_engine
from motcua.settings import DatabaseSettings

__all__ = ["ABSORBED", "absorbed_at", "count_absorbed", "plans_without_scans", "query"]

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


async def plans_without_scans(
    engine: AsyncEngine, work: Callable[[], Awaitable[object]]
) -> list[str]:
    """Run `work`, then ask PostgreSQL to plan each statement it sent on `engine` with
    sequential scans priced out of reach: one plan's text per statement. A plan that
    still holds "Seq Scan" found no index to serve it."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await work()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    plans = []
    async with engine.connect() as conn:
        await conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in sent:
            rows = await conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            plans.append("\n".join(row[0] for row in rows))
        await conn.rollback()
    return plans
