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
from motcua_tracking.domain import CalendarRangeError, YearDecision, vietnam_time_zone
from motcua_tracking.service.calendars import CalendarBook, DecisionInForce
from motcua_tracking.service.context import TrackingContext
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

    def __init__(
        self,
        sessions: Sessions,
        tracker: DossierTracker,
        *,
        context: TrackingContext,
    ) -> None:
        """Decisions loaded on the clock, calendars and stores of `context` (the one
        the composition root built the tracker in), deadlines moved through `tracker`'s
        unit of work."""
        self._sessions = sessions
        self._tracker = tracker
        self._context = context

    async def in_force(self) -> tuple[DecisionInForce, ...]:
        """The decisions the calendars use now, by year."""
        book, stores = self._context.calendars, self._context.stores
        async with self._sessions() as session, session.begin():
            await book.refresh(stores.calendar(session))
        return book.in_force

    async def load(self, decision: YearDecision) -> DecisionLoaded:
        """Store the decision and move every open deadline it changes, in one transaction;
        the calendars use it once that transaction committed."""
        book = self._context.calendars
        first, last = book.years
        if not first <= decision.year <= last:
            raise CalendarRangeError(
                f"{decision.year} is outside the calendar's years {first}–{last}"
            )
        async with self._sessions() as session, session.begin():
            loaded, new = await self.load_in(session, decision)
        book.adopt(new)
        return loaded

    async def load_in(
        self, session: AsyncSession, decision: YearDecision
    ) -> tuple[DecisionLoaded, CalendarBook]:
        """Store the decision (of a year the calendars cover) under the exclusive calendar
        lock and move every open deadline it changes, in the caller's transaction; what
        it did, and the book on the new decisions for the calendars to adopt once the
        transaction committed."""
        book, stores = self._context.calendars, self._context.stores
        calendar = stores.calendar(session)
        await calendar.lock(exclusive=True)
        old = await book.stored(calendar, await calendar.revision())
        now = self._context.clock.now()
        revision = await calendar.store(decision, now)
        new = await old.stored(calendar, revision)
        days = old.changed_days(new, decision.year)
        recomputed = moved = 0
        if days:
            window = (_midnight(days[0]), _midnight(days[-1] + timedelta(days=1)))
            recomputed, moved = await self._recompute(session, old, new, window)
        loaded = DecisionLoaded(decision.year, revision, len(days), recomputed, moved)
        return loaded, new

    async def _recompute(
        self,
        session: AsyncSession,
        old: CalendarBook,
        new: CalendarBook,
        window: tuple[datetime, datetime],
    ) -> tuple[int, int]:
        dossiers = self._context.stores.dossiers(session)
        after, recomputed, moved = "", 0, 0
        now = self._context.clock.now()
        while True:
            codes = await dossiers.open_codes_in_window(window, after, _CHUNK)
            if not codes:
                return recomputed, moved
            moved += await self._tracker.recalendar(session, codes, old, new, now)
            recomputed += len(codes)
            after = codes[-1]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), vietnam_time_zone())
