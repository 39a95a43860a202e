"""Yearly calendar decisions as loaded by administrators, and the lock guarding them.

Applying events takes the calendar lock shared; loading a decision takes it exclusively
while it recomputes the open deadlines, so no dossier is computed on a stale calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import advisory_lock
from motcua_tracking.adapters.tables import CALENDAR_DECISIONS
from motcua_tracking.domain import YearDecision, decision_to_dict, parse_decision

__all__ = ["StoredDecision", "lock_calendar", "revision", "store_decision", "stored_decisions"]

_LOCK = 7_150_200


@dataclass(frozen=True)
class StoredDecision:
    """A decision as stored, with when it was loaded and its revision."""

    decision: YearDecision
    revision: int
    loaded_at: datetime


async def lock_calendar(session: AsyncSession, *, exclusive: bool = False) -> None:
    """Take the calendar lock for the rest of the transaction."""
    await advisory_lock(session, _LOCK, shared=not exclusive)


async def revision(session: AsyncSession) -> int:
    """The revision of the newest stored decision (0 when none is stored)."""
    value = await session.scalar(select(func.coalesce(func.max(CALENDAR_DECISIONS.c.revision), 0)))
    return int(value or 0)


async def stored_decisions(session: AsyncSession) -> list[StoredDecision]:
    """Every stored decision, by year."""
    rows = (
        await session.execute(select(CALENDAR_DECISIONS).order_by(CALENDAR_DECISIONS.c.year))
    ).all()
    return [StoredDecision(parse_decision(r.document), r.revision, r.loaded_at) for r in rows]


async def store_decision(session: AsyncSession, decision: YearDecision, now: datetime) -> int:
    """Store (or replace) the decision of its year; returns its revision."""
    new_revision = await revision(session) + 1
    document = decision_to_dict(decision)
    await session.execute(
        pg_insert(CALENDAR_DECISIONS)
        .values(year=decision.year, document=document, revision=new_revision, loaded_at=now)
        .on_conflict_do_update(
            index_elements=[CALENDAR_DECISIONS.c.year],
            set_={"document": document, "revision": new_revision, "loaded_at": now},
        )
    )
    return new_revision
