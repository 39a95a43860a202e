"""The procedure catalogue as tracking keeps it: names for look-ups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_tracking.adapters.tables import PROCEDURES

__all__ = ["procedure_name", "upsert_procedures"]


async def upsert_procedures(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Keep the newest revision of each procedure (an older one arriving late is ignored)."""
    for row in rows:
        statement = pg_insert(PROCEDURES).values(**row)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[PROCEDURES.c.code],
                set_={
                    "name": statement.excluded.name,
                    "competent_agency": statement.excluded.competent_agency,
                    "revision": statement.excluded.revision,
                    "terms": statement.excluded.terms,
                    "updated_at": statement.excluded.updated_at,
                },
                where=PROCEDURES.c.revision <= statement.excluded.revision,
            )
        )


async def procedure_name(session: AsyncSession, code: str) -> str | None:
    """The catalogue's current name of a procedure, if known."""
    name: str | None = await session.scalar(
        select(PROCEDURES.c.name).where(PROCEDURES.c.code == code)
    )
    return name
