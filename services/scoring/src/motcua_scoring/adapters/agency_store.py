"""Agencies as intake publishes them: names of agencies and units, and merges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.events import AgencyUpdated
from motcua_scoring.adapters.tables import agencies
from motcua_scoring.domain.merges import Merge

__all__ = ["AgencyDirectory", "keep_agencies", "load_directory"]


@dataclass(frozen=True)
class AgencyDirectory:
    """Names by code and the merges, as last published."""

    agencies: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    merges: tuple[Merge, ...] = ()


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


async def load_directory(conn: AsyncConnection) -> AgencyDirectory:
    """Every agency's name, its units' names, and the merges."""
    rows = (await conn.execute(sa.select(agencies))).all()
    return AgencyDirectory(
        agencies={row.code: row.name for row in rows},
        units={unit["code"]: unit["name"] for row in rows for unit in row.units},
        merges=tuple(
            sorted(
                Merge(row.code, row.merged_into, row.merged_on)
                for row in rows
                if row.merged_into is not None and row.merged_on is not None
            )
        ),
    )
