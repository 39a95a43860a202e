"""The durable timer loop: fire due alerts at most once, across restarts and instances.

A timer must not fire at `now` before the events that happened before its fire time are
applied. So the loop waits (up to `catch_up_timeout_seconds` at a time) while the dossier
consumer group is behind on its topic: at start-up until it has caught up (after
downtime, during a rebuild from offset 0), and whenever it falls more than
`behind_records` behind (a backlog, a history import). Meanwhile those events fire the
timers due before them in the dossier's own time, so a rebuild gives the alerts of the
original run, and an import does not see alerts fired early and then withdrawn (nor pay
for folding each of its events in late). `motcua_tracking_timers_held` is 1 while the
loop waits; past the timeout it fires even so, and says so in the log.

Each pass claims a few dossiers with due timers (`FOR UPDATE SKIP LOCKED`), fires their
timers and stages the events in the transaction that marks them fired, then sleeps
until the next fire time, or until a timer is stored (NOTIFY, which may bring an earlier
one), or the poll interval (a safety net for a lost notification), whichever comes first.

A timer fires only once the clock has passed its instant by the alert grace
(`alert_grace_seconds` real seconds, scaled by a simulated clock's speed): an event that
happened before the instant but is still on its way then stops the alert instead of
withdrawing it. The alert keeps its own instant as its occurred time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.clock import clock_speed
from motcua.db import Sessions
from motcua.loops import Loop
from motcua_tracking.adapters.metrics import TIMER_LAG, TIMERS_FIRED, TIMERS_HELD, TIMERS_PENDING
from motcua_tracking.adapters.timers import count_pending, next_fire_at
from motcua_tracking.domain import Outcome, TrackedDossier
from motcua_tracking.service.context import TrackingContext
from motcua_tracking.service.tracking import DossierTracker
from motcua_tracking.settings import TimerSettings

__all__ = ["TimerLoop"]

log = logging.getLogger(__name__)
_MIN_SLEEP = 0.01
_CATCH_UP_CHECK = 0.2


class TimerLoop:
    """Fires due timers; run it as a background task of the service."""

    def __init__(
        self,
        sessions: Sessions,
        tracker: DossierTracker,
        settings: TimerSettings,
        consumer_lag: Callable[[], Awaitable[int]] | None = None,
        wake: asyncio.Event | None = None,
        *,
        context: TrackingContext,
    ) -> None:
        """Timers fired through `tracker`'s unit of work, on the clock, calendars and
        stores of `context` (the one the composition root built the tracker in)."""
        self._sessions = sessions
        self._tracker = tracker
        self._context = context
        self._settings = settings
        self._consumer_lag = consumer_lag
        self._speed = clock_speed(self._context.clock)
        self.grace = settings.alert_grace(self._speed)
        self.loop = Loop("timers", self.step, wake=wake)
        self._caught_up = False
        self._held_since: float | None = None
        self._held = False
        self.gauge = Loop("timers-gauge", self.count)

    async def fire_due(self) -> int:
        """One pass in a transaction of its own (`fire_in`); returns how many dossiers."""
        async with self._sessions() as session, session.begin():
            return await self.fire_in(session)

    async def fire_in(self, session: AsyncSession) -> int:
        """One pass in the caller's transaction: claim up to a batch of dossiers with
        timers due by now less the grace, fire those timers and stage their alerts in the
        tracker's unit of work; returns how many dossiers."""
        context = self._context
        await context.calendars.refresh(context.stores.calendar(session))
        now = context.clock.now()
        until = now - self.grace
        codes = await context.stores.dossiers(session).claim_due(until, self._settings.batch_size)
        if not codes:
            return 0

        def fire(dossier: TrackedDossier) -> list[Outcome]:
            outcomes = dossier.advance(until, now)
            for timer in dossier.timers:
                if timer.changed and timer.fired_at == now:
                    TIMER_LAG.observe(max((until - timer.fire_at).total_seconds(), 0.0))
                    TIMERS_FIRED.labels(timer.scope, timer.kind.value).inc()
            return outcomes

        await self._tracker.change(
            session, codes, fire, now=now, calendars=context.calendars, lock=False
        )
        return len(codes)

    async def pause_before_next(self) -> float:
        """Real seconds to sleep: until the next fire time and its grace, at most the poll
        interval."""
        async with self._sessions() as session:
            upcoming = await next_fire_at(session)
        poll = float(self._settings.poll_seconds)
        if upcoming is None:
            return poll
        wait: float = (upcoming + self.grace - self._context.clock.now()).total_seconds()
        return min(max(wait / self._speed, _MIN_SLEEP), poll)

    async def run(self, stop: asyncio.Event) -> None:
        """Fire timers until `stop` is set; a failing pass is logged and retried (`loop`)."""
        await self.loop.run(stop)

    async def step(self) -> float:
        """One pass; the pause before the next (none while a full batch was due). While
        the dossier consumer is behind, no pass: a short pause, then look again."""
        if await self.holding():
            return _CATCH_UP_CHECK
        if await self.fire_due() >= self._settings.batch_size:
            return 0.0
        return await self.pause_before_next()

    async def holding(self) -> bool:
        """Whether timers wait for the dossier consumer (for at most
        `catch_up_timeout_seconds`, then they fire until it has caught up).

        Until it has first caught up (start-up: after downtime, during a rebuild) they wait
        for it to have read everything, and a lag that cannot be read counts as behind;
        after, only a backlog of more than `behind_records` holds them, and a lag that
        cannot be read holds nothing: alerts go on while the broker is away."""
        if self._consumer_lag is None:
            return False
        limit = self._settings.behind_records if self._caught_up else 0
        try:
            behind = await self._consumer_lag()
        except Exception:
            log.warning("could not read the consumer's progress", exc_info=True)
            behind = 0 if self._caught_up else 1
        now = asyncio.get_running_loop().time()
        held = False
        if behind <= limit:
            self._caught_up = True
            self._held_since = None
        else:
            if self._held_since is None:
                self._held_since = now
                log.info("timers wait for the dossier consumer", extra={"behind": behind})
            held = now - self._held_since <= self._settings.catch_up_timeout_seconds
            if self._held and not held:
                log.warning(
                    "timers fire although the dossier consumer is behind",
                    extra={"behind": behind},
                )
        self._held = held
        TIMERS_HELD.set(int(held))
        return held

    async def refresh_gauge(self, stop: asyncio.Event) -> None:
        """Keep the pending-timers gauge current."""
        await self.gauge.run(stop)

    async def count(self) -> float:
        """Refresh the pending-timers gauge; the pause before the next time."""
        async with self._sessions() as session:
            TIMERS_PENDING.set(await count_pending(session))
        return float(self._settings.gauge_seconds)
