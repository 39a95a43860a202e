"""The turn of a local day: open dossiers whose appointment day has just passed turn
overdue without any event. Their scopes' figures for the new day, month, quarter and
year are marked owed, so the feeds (and the dashboard tiles that follow them) count them
overdue as the open-dossier list and the API already do, on the same clock. So are those
of an agency that begins, on the new day, to count an absorbed agency's dossiers (the
ones still open enter its figures as carried over).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.clock import Clock
from motcua.loops import Step
from motcua_scoring import domain as d
from motcua_scoring.adapters.agency_store import load_merges
from motcua_scoring.adapters.dirty_keys import mark_keys
from motcua_scoring.adapters.facts_store import read_facts
from motcua_scoring.adapters.open_dossiers import due_between
from motcua_scoring.domain.periods import calendar_periods_of, local_date, local_midnight
from motcua_scoring.service.merged_keys import keys_merges_start
from motcua_scoring.settings import ScoringSettings

__all__ = ["DayTurn", "day_turn_step"]


class DayTurn:
    """Remembers the last local day seen; on a new one, marks what turned overdue."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._day: date | None = None

    async def check(self) -> set[tuple[str, str]]:
        """Mark the keys of the scopes whose dossiers turned overdue since the last day
        seen (on the first check: today), and of the agencies whose merges began counting
        since then; the (scope, period) keys marked."""
        today = local_date(self._clock.now())
        if today == self._day:
            return set()
        first_due_day = self._day or today - timedelta(days=1)
        async with self._engine.begin() as conn:
            codes = await due_between(conn, local_midnight(first_due_day), local_midnight(today))
            scopes = {s.key for facts in await read_facts(conn, codes) for s in d.scopes_of(facts)}
            keys = {(s, p.key) for s in scopes for p in calendar_periods_of(today)}
            merges = await load_merges(conn)
            keys |= keys_merges_start(merges, first_due_day, today)
            await mark_keys(conn, keys)
        self._day = today
        return keys


def day_turn_step(engine: AsyncEngine, clock: Clock, settings: ScoringSettings) -> Step:
    """One look at the day, as a supervised loop's step (every `day_turn_check_seconds`)."""
    turn = DayTurn(engine, clock)

    async def step() -> float:
        await turn.check()
        return float(settings.feed.day_turn_check_seconds)

    return step
