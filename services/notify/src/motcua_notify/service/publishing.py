"""NotificationDelivered / NotificationFailed, staged in the outbox with the outcome they report.

They carry the row's public id, type, channel and audience: no address, no content.
A daily digest belongs to no dossier (the events' Kafka key), so it publishes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import event as orm_events
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import Envelope, NotificationDelivered, NotificationFailed
from motcua.messaging import stage

__all__ = ["Notice", "NoticePublisher", "after_commit"]

PRODUCER = "notify"


@dataclass(frozen=True)
class Notice:
    """A settled outcome worth telling the rest of the system."""

    public_id: UUID
    dossier_code: str | None
    agency_code: str | None
    message_type: str
    channel: str
    audience: str
    correlation_id: UUID | None
    failure: str | None = None


class NoticePublisher:
    """Stages notification events in the caller's transaction (to `topic` if given)."""

    def __init__(self, topic: str | None = None) -> None:
        self._topic = topic

    async def stage(self, session: AsyncSession, notices: list[Notice], now: datetime) -> None:
        """Write the events of these outcomes to the outbox."""
        envelopes = [_envelope(n, now) for n in notices if n.dossier_code]
        if envelopes:
            await stage(session, *envelopes, topic=self._topic)


def _envelope(notice: Notice, now: datetime) -> Envelope:
    fields: dict[str, Any] = {
        "notification_id": str(notice.public_id),
        "message_type": notice.message_type,
        "channel": notice.channel,
        "recipient_kind": notice.audience,
    }
    data = (
        NotificationFailed(**fields, reason=notice.failure)
        if notice.failure is not None
        else NotificationDelivered(**fields)
    )
    return Envelope.wrap(
        data,
        producer=PRODUCER,
        occurred_at=now,
        now=now,
        dossier_code=notice.dossier_code,
        agency_code=notice.agency_code,
        correlation_id=notice.correlation_id,
    )


def after_commit(session: AsyncSession, action: Callable[[], None]) -> None:
    """Run `action` once the session's transaction commits (metrics count what happened)."""
    orm_events.listen(session.sync_session, "after_commit", lambda _session: action(), once=True)
