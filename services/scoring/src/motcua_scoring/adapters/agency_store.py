"""Agencies and procedures as intake publishes them: names of agencies, units and
procedures, and merges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.events import AgencyUpdated, ProcedureUpdated
from motcua_scoring.adapters.tables import agencies, procedures
from motcua_scoring.domain.merges import Merge

__all__ = [
    "AgencyDirectory",
    "keep_agencies",
    "keep_procedures",
    "load_directory",
    "load_merges",
]


@dataclass(frozen=True)
class AgencyDirectory:
    """Names by code and the merges, as last published."""

    agencies: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    merges: tuple[Merge, ...] = ()
    procedures: dict[str, str] = field(default_factory=dict)


async def keep_agencies(conn: AsyncConnection, states: Sequence[AgencyUpdated]) -> None:
    """Keep the newest revision of each agency (an older one arriving late is ignored)."""
    for state in states:
        row = {
            "code": state.code,
            "name": state.name,
            "units": [{"code": u.code, "name": u.name} for u in state.units],
            "retired_at": state.retired_at,
            "merged_into": state.merged_into,
            "merged_on": state.merged_on,
            "revision": state.revision,
        }
        statement = pg_insert(agencies).values(**row)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[agencies.c.code],
                set_={k: statement.excluded[k] for k in row if k != "code"},
                where=agencies.c.revision <= statement.excluded.revision,
            )
        )


async def keep_procedures(conn: AsyncConnection, states: Sequence[ProcedureUpdated]) -> None:
    """Keep the newest revision of each procedure's name."""
    for state in states:
        row = {"code": state.procedure.code, "name": state.procedure.name}
        statement = pg_insert(procedures).values(**row, revision=state.revision)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[procedures.c.code],
                set_={"name": statement.excluded.name, "revision": statement.excluded.revision},
                where=procedures.c.revision <= statement.excluded.revision,
            )
        )


async def load_directory(conn: AsyncConnection) -> AgencyDirectory:
    """Every agency's name, its units' names, the merges and the procedures' names."""
    rows = (await conn.execute(sa.select(agencies.c.code, agencies.c.name, agencies.c.units))).all()
    named = (await conn.execute(sa.select(procedures.c.code, procedures.c.name))).all()
    return AgencyDirectory(
        agencies={row.code: row.name for row in rows},
        units={unit["code"]: unit["name"] for row in rows for unit in row.units},
        merges=await load_merges(conn),
        procedures={row.code: row.name for row in named},
    )


async def load_merges(conn: AsyncConnection) -> tuple[Merge, ...]:
    """The merges of agencies, in order: all the feed's passes and the day's turn need of
    the directory."""
    rows = await conn.execute(
        sa.select(agencies.c.code, agencies.c.merged_into, agencies.c.merged_on).where(
            agencies.c.merged_into.is_not(None), agencies.c.merged_on.is_not(None)
        )
    )
    return tuple(sorted(Merge(row.code, row.merged_into, row.merged_on) for row in rows))
