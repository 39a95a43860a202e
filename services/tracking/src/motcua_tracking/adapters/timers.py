"""Finding due timers without scanning dossiers: the partial index on pending `fire_at`.

Storing a timer that may fire earlier than those known (a new one, one armed again)
notifies `TIMERS_CHANGED`, so the timer loop sleeping until the next fire time looks again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from motcua_tracking.adapters.tables import DOSSIERS, TIMERS

__all__ = ["TIMERS_CHANGED", "claim_due_dossiers", "count_pending", "next_fire_at"]

TIMERS_CHANGED = "tracking_timers"
"""The NOTIFY channel of timers stored to fire."""

_PENDING = TIMERS.c.fired_at.is_(None)


async def claim_due_dossiers(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    """Lock up to `limit` dossiers owning due timers, skipping dossiers locked elsewhere.

    The dossier row is the lock for its timers (the consumer takes it too), so claims
    by several instances, and by the consumer, never overlap and never deadlock.
    """
    due = (
        select(TIMERS.c.dossier_code)
        .where(_PENDING, TIMERS.c.fire_at <= now)
        .order_by(TIMERS.c.fire_at)
        .limit(limit * 4)
    )
    query = (
        select(DOSSIERS.c.code)
        .where(DOSSIERS.c.code.in_(due.scalar_subquery()))
        .order_by(DOSSIERS.c.code)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(query)).all())


async def next_fire_at(conn: AsyncConnection | AsyncSession) -> datetime | None:
    """The earliest pending fire time."""
    value: datetime | None = await conn.scalar(select(func.min(TIMERS.c.fire_at)).where(_PENDING))
    return value


async def count_pending(conn: AsyncConnection | AsyncSession) -> int:
    """How many timers wait to fire."""
    return int(await conn.scalar(select(func.count()).select_from(TIMERS).where(_PENDING)) or 0)
