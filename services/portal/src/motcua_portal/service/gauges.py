"""The sync's gauges: backlog by state, the oldest change waiting, dossiers out of sync,
dossiers held for their applicant record."""

from __future__ import annotations

from motcua.db import Sessions
from motcua.loops import Step
from motcua_portal.adapters.metrics import (
    AWAITING_APPLICANT,
    BACKLOG,
    OLDEST_PENDING,
    OUT_OF_SYNC,
)
from motcua_portal.adapters.operator_store import OperatorStore

__all__ = ["gauge_step", "refresh_gauges"]

STATES = ("pending", "held", "dead")


async def refresh_gauges(sessions: Sessions) -> None:
    """Read the queue and set the gauges."""
    async with sessions() as session:
        read = await OperatorStore(session).gauges()
    for state in STATES:
        BACKLOG.labels(state).set(read.by_state.get(state, 0))
    oldest = read.oldest_seconds
    OLDEST_PENDING.set(0 if oldest is None else max(oldest, 0.0))
    OUT_OF_SYNC.set(read.out_of_sync)
    AWAITING_APPLICANT.set(read.awaiting_applicant)


def gauge_step(sessions: Sessions, every: float) -> Step:
    """One refresh of the gauges every `every` seconds, as a supervised loop's step."""

    async def step() -> float:
        await refresh_gauges(sessions)
        return every

    return step
