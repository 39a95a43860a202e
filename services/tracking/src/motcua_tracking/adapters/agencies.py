"""Agencies as intake publishes them: their names, office hours and cut-offs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import AgencyUpdated
from motcua_tracking.adapters.tables import AGENCY_OFFICES

__all__ = [
    "StoredOffice",
    "agency_name",
    "agency_state",
    "keep_agencies",
    "offices",
    "offices_seq",
]


@dataclass(frozen=True)
class StoredOffice:
    """An agency's office hours and cut-off as last published (no periods: the configured
    ones), and the agency that absorbed it, from which local date."""

    code: str
    periods: tuple[tuple[time, time], ...]
    cutoff: time | None
    merged_into: str | None = None
    merged_on: date | None = None


def _clock(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M:%S")


async def keep_agencies(session: AsyncSession, states: Sequence[AgencyUpdated]) -> None:
    """Keep the newest revision of each agency (an older one arriving late is ignored)."""
    for state in states:
        row = {
            "code": state.code,
            "name": state.name,
            "office_hours": [[_clock(p.start), _clock(p.end)] for p in state.office_hours],
            "late_cutoff": _clock(state.late_cutoff),
            "retired_at": state.retired_at,
            "merged_into": state.merged_into,
            "merged_on": state.merged_on,
            "revision": state.revision,
        }
        statement = pg_insert(AGENCY_OFFICES).values(**row)
        changed = {k: statement.excluded[k] for k in row if k != "code"}
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[AGENCY_OFFICES.c.code],
                set_={**changed, "seq": text("nextval('agency_offices_seq')")},
                where=AGENCY_OFFICES.c.revision <= statement.excluded.revision,
            )
        )


async def offices_seq(session: AsyncSession) -> int:
    """Grows with every stored change (0 when nothing is stored)."""
    found = await session.scalar(select(func.coalesce(func.max(AGENCY_OFFICES.c.seq), 0)))
    return int(found or 0)


async def offices(session: AsyncSession) -> list[StoredOffice]:
    """Every agency intake published, with its office hours and merge."""
    t = AGENCY_OFFICES.c
    rows = await session.execute(
        select(t.code, t.office_hours, t.late_cutoff, t.merged_into, t.merged_on)
    )
    return [
        StoredOffice(
            code,
            tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in hours or ()),
            None if cutoff is None else time.fromisoformat(cutoff),
            merged_into,
            merged_on,
        )
        for code, hours, cutoff, merged_into, merged_on in rows
    ]


async def agency_name(session: AsyncSession, code: str) -> str | None:
    """The agency's current name, if intake published it."""
    name: str | None = await session.scalar(
        select(AGENCY_OFFICES.c.name).where(AGENCY_OFFICES.c.code == code)
    )
    return name


async def agency_state(session: AsyncSession, code: str) -> dict[str, Any] | None:
    """The agency as last published, if it was."""
    row = (
        await session.execute(select(AGENCY_OFFICES).where(AGENCY_OFFICES.c.code == code))
    ).one_or_none()
    return None if row is None else dict(row._mapping)
