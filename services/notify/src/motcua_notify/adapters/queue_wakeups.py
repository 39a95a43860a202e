"""When the senders have work: rows put in the queue are announced on `QUEUED` (PostgreSQL
NOTIFY, delivered when the transaction commits), and the earliest waiting row of a
channel says how long an idle sender may sleep."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.messaging import notify
from motcua_notify.adapters.tables import notifications
from motcua_notify.domain.outcomes import Status

__all__ = ["QUEUED", "announce", "next_due"]

QUEUED = "notify_queued"
_t = notifications


async def announce(session: AsyncSession) -> None:
    """Wake the senders once the caller's transaction commits."""
    await notify(session, QUEUED)


async def next_due(session: AsyncSession, channel: str) -> datetime | None:
    """When the earliest row waiting on a channel comes due (None: none waits)."""
    value: datetime | None = await session.scalar(
        sa.select(sa.func.min(_t.c.not_before)).where(
            _t.c.status == Status.PENDING, _t.c.channel == channel
        )
    )
    return value
