"""The sync's gauges: backlog by state, the oldest change waiting, dossiers out of sync,
dossiers held for their applicant record."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import func, select

from motcua.db import Sessions
from motcua_portal.adapters.metrics import (
    AWAITING_APPLICANT,
    BACKLOG,
    OLDEST_PENDING,
    OUT_OF_SYNC,
)
from motcua_portal.adapters.tables import DOSSIERS, QUEUE

__all__ = ["gauge_loop", "refresh_gauges"]

log = logging.getLogger(__name__)
STATES = ("pending", "held", "dead")


async def refresh_gauges(sessions: Sessions) -> None:
    """Read the queue and set the gauges."""
    async with sessions() as session:
        counts: dict[str, int] = dict(
            (
                await session.execute(select(QUEUE.c.state, func.count()).group_by(QUEUE.c.state))
            ).all()
        )
        # Real seconds on the database's clock, also when the service runs a simulated one.
        oldest = (
            await session.execute(
                select(func.extract("epoch", func.now() - func.min(QUEUE.c.arrived_at))).where(
                    QUEUE.c.state != "dead"
                )
            )
        ).scalar()
        behind = (
            await session.execute(
                select(func.count()).where(DOSSIERS.c.synced_revision < DOSSIERS.c.revision)
            )
        ).scalar_one()
        awaiting = (
            await session.execute(
                select(func.count()).where(
                    QUEUE.c.state == "held", QUEUE.c.reason == "awaiting_applicant"
                )
            )
        ).scalar_one()
    for state in STATES:
        BACKLOG.labels(state).set(counts.get(state, 0))
    OLDEST_PENDING.set(0 if oldest is None else max(float(oldest), 0.0))
    OUT_OF_SYNC.set(behind)
    AWAITING_APPLICANT.set(awaiting)


async def gauge_loop(sessions: Sessions, every: float, stop: asyncio.Event) -> None:
    """Refresh the gauges every `every` seconds until `stop`."""
    while not stop.is_set():
        try:
            await refresh_gauges(sessions)
        except Exception:
            log.warning("sync gauges not refreshed", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
