"""Loading a year's calendar decision: store it, recompute the open deadlines it touches.

The whole load is one transaction under the exclusive calendar lock: event batches and
timer passes wait for it, so none computes on the old calendar after the change, and a
failed load leaves both the decision and the deadlines as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import Sessions
from motcua_tracking.adapters import calendars as store
from motcua_tracking.adapters.dossiers import DossierStore
from motcua_tracking.domain import CalendarRangeError, YearDecision, vietnam_time_zone
from motcua_tracking.service.calendars import CalendarBook, DecisionInForce
from motcua_tracking.service.tracking import DossierTracker

__all__ = ["DecisionLoaded", "DecisionLoader"]

_CHUNK = 500


@dataclass(frozen=True)
class DecisionLoaded:
    """What loading a decision did."""

    year: int
    revision: int
    changed_days: int
    dossiers_recomputed: int
    deadlines_moved: int


class DecisionLoader:
    """The use case behind `PUT /v1/calendar/decisions/{year}` and the command line."""

    def __init__(self, sessions: Sessions, tracker: DossierTracker) -> None:
        self._sessions = sessions
        self._tracker = tracker

    async def in_force(self) -> tuple[DecisionInForce, ...]:
        """The decisions the calendars use now, by year."""
        async with self._sessions() as session, session.begin():
            await self._tracker.calendars.refresh(session)
        return self._tracker.calendars.in_force

    async def load(self, decision: YearDecision) -> DecisionLoaded:
        """Store the decision and move every open deadline it changes."""
        book = self._tracker.calendars
        first, last = book.years
        if not first <= decision.year <= last:
            raise CalendarRangeError(
                f"{decision.year} is outside the calendar's years {first}–{last}"
            )
        async with self._sessions() as session, session.begin():
            await store.lock_calendar(session, exclusive=True)
            old = await book.stored(session, await store.revision(session))
            now = self._tracker.clock.now()
            revision = await store.store_decision(session, decision, now)
            new = await old.stored(session, revision)
            days = old.changed_days(new, decision.year)
            recomputed = moved = 0
            if days:
                window = (_midnight(days[0]), _midnight(days[-1] + timedelta(days=1)))
                recomputed, moved = await self._recompute(session, old, new, window)
        book.adopt(new)
        return DecisionLoaded(decision.year, revision, len(days), recomputed, moved)

    async def _recompute(
        self,
        session: AsyncSession,
        old: CalendarBook,
        new: CalendarBook,
        window: tuple[datetime, datetime],
    ) -> tuple[int, int]:
        dossiers = DossierStore(session)
        after, recomputed, moved = "", 0, 0
        now = self._tracker.clock.now()
        while True:
            codes = await dossiers.open_codes_in_window(window, after, _CHUNK)
            if not codes:
                return recomputed, moved
            moved += await self._tracker.recalendar(session, codes, old, new, now)
            recomputed += len(codes)
            after = codes[-1]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), vietnam_time_zone())
