"""Periodic upkeep: expired leases back to the queue, queue gauges, retention purges."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from motcua.clock import Clock
from motcua.db import Sessions
from motcua.loops import Loop
from motcua_notify.adapters import metrics
from motcua_notify.adapters.dossier_store import parked_count, purge_closed
from motcua_notify.adapters.notification_store import purge_bodies, queue_stats, reclaim_expired
from motcua_notify.adapters.queue_wakeups import announce
from motcua_notify.domain.messages import Channel
from motcua_notify.settings import RetentionSettings

__all__ = ["Housekeeper"]

log = logging.getLogger(__name__)


class Housekeeper:
    """Runs `tidy` every few seconds and `purge` every sweep."""

    def __init__(
        self, sessions: Sessions, clock: Clock, retention: RetentionSettings, every_seconds: float
    ) -> None:
        """`retention` says how long bodies and addresses (and applicants' contacts of
        closed dossiers) are kept, and how often they are purged."""
        self._sessions = sessions
        self._clock = clock
        self._retention = retention
        self._every = every_seconds
        self._next_purge = time.monotonic()
        self.loop = Loop("housekeeping", self.step)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set."""
        await self.loop.run(stop)

    async def step(self) -> float:
        """Tidy, and purge when a sweep is due; the pause before the next pass."""
        await self.tidy()
        if time.monotonic() >= self._next_purge:
            await self.purge()
            self._next_purge = time.monotonic() + self._retention.sweep_seconds
        return self._every

    async def tidy(self) -> int:
        """Return expired leases to the queue and refresh the gauges; returns rows reclaimed."""
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            reclaimed = await reclaim_expired(session)
            if reclaimed:
                await announce(session)
            stats = await queue_stats(session, now)
            parked = await parked_count(session)
        for channel in Channel:
            pending, age = stats.get(channel.value, (0, 0.0))
            metrics.PENDING.labels(channel.value).set(pending)
            metrics.OLDEST_PENDING_AGE.labels(channel.value).set(age)
        metrics.PARKED.set(parked)
        if reclaimed:
            log.warning("leases expired; messages back in the queue", extra={"rows": reclaimed})
        return reclaimed

    async def purge(self) -> tuple[int, int]:
        """Purge old bodies and addresses, and closed dossiers' contacts; returns both counts."""
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            bodies = await purge_bodies(
                session, now - timedelta(days=self._retention.body_days), now
            )
            contacts = await purge_closed(
                session, now - timedelta(days=self._retention.dossier_days)
            )
        if bodies or contacts:
            log.info("retention purge", extra={"bodies": bodies, "dossiers": contacts})
        return bodies, contacts
