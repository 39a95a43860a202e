"""Agencies as intake publishes them: the names of agencies and of their units."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import AgencyUpdated
from motcua_notify.adapters.tables import agencies

__all__ = ["AgencyNames", "agency_names", "keep_agencies"]


@dataclass(frozen=True)
class AgencyNames:
    """Names by code, as last published (a code intake never named is absent)."""

    agencies: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)


async def keep_agencies(session: AsyncSession, states: Sequence[AgencyUpdated]) -> None:
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
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[agencies.c.code],
                set_={k: statement.excluded[k] for k in row if k != "code"},
                where=agencies.c.revision <= statement.excluded.revision,
            )
        )


async def agency_names(
    session: AsyncSession, agency_codes: Iterable[str | None], unit_codes: Iterable[str | None]
) -> AgencyNames:
    """The published names of these agencies and units."""
    wanted_agencies = sorted({c for c in agency_codes if c})
    wanted_units = sorted({c for c in unit_codes if c})
    names = AgencyNames()
    if wanted_agencies:
        rows = await session.execute(
            sa.select(agencies.c.code, agencies.c.name).where(agencies.c.code.in_(wanted_agencies))
        )
        names.agencies.update({code: name for code, name in rows})
    if wanted_units:
        unit = sa.func.jsonb_array_elements(agencies.c.units).table_valued("value").alias("u")
        code = unit.c.value.op("->>")("code")
        rows = await session.execute(
            sa.select(code, unit.c.value.op("->>")("name"))
            .select_from(agencies.join(unit, sa.true()))
            .where(code.in_(wanted_units))
        )
        names.units.update({c: n for c, n in rows})
    return names
