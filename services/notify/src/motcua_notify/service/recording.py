"""Writing messages to the delivery log inside the caller's transaction (outbox style).

Every planned row is written before anything is sent, under its idempotency key,
so a redelivered event or a second run of a job finds its rows there and writes
nothing new. Rows that fail at planning publish NotificationFailed at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from motcua_notify.adapters import metrics
from motcua_notify.adapters.notification_store import insert_messages
from motcua_notify.adapters.queue_wakeups import announce
from motcua_notify.domain.contacts import mask
from motcua_notify.domain.messages import Channel
from motcua_notify.domain.planning import (
    MessageRequest,
    PlannedMessage,
    PlanStatus,
    plan,
    withdrawn,
)
from motcua_notify.domain.privacy import address_digest
from motcua_notify.domain.quiet_hours import QuietHours
from motcua_notify.domain.rendering import TemplateRegistry
from motcua_notify.domain.stored import content_to_json
from motcua_notify.domain.withdrawals import WITHDRAWN_REASON
from motcua_notify.service.publishing import Notice, NoticePublisher, after_commit

__all__ = ["Addressed", "Recorder"]


@dataclass(frozen=True)
class Addressed:
    """A message request with what the log files it under."""

    request: MessageRequest
    dossier_code: str | None
    unit_code: str | None = None
    agency_code: str | None = None
    correlation_id: UUID | None = None


class Recorder:
    """Plans requests into rows and writes the new ones."""

    def __init__(
        self,
        registry: TemplateRegistry,
        quiet: QuietHours,
        disabled: Iterable[Channel],
        recipient_key: bytes,
        publisher: NoticePublisher,
    ) -> None:
        self._registry = registry
        self._quiet = quiet
        self._disabled = frozenset(disabled)
        self._key = recipient_key
        self._publisher = publisher

    async def record(
        self,
        session: AsyncSession,
        items: Iterable[Addressed],
        now: datetime,
        withdrawn_alerts: Collection[str] = (),
    ) -> int:
        """Write the rows of every request; returns how many were new.

        Requests answering an alert in `withdrawn_alerts` (event ids) are written as
        withdrawn: on the record, never sent.
        """
        planned: dict[str, tuple[Addressed, PlannedMessage, dict[str, Any]]] = {}
        for item in items:
            for message in self._plan(item, now, withdrawn_alerts):
                planned.setdefault(
                    message.idempotency_key, (item, message, self._row(item, message, now))
                )
        written = await insert_messages(session, [row for _, _, row in planned.values()])
        if written:
            await announce(session)
        fresh = [
            (item, message, row) for key, (item, message, row) in planned.items() if key in written
        ]
        failures = [
            _notice(item, row, m.reason) for item, m, row in fresh if m.status is PlanStatus.FAILED
        ]
        await self._publisher.stage(session, failures, now)
        after_commit(session, lambda: _count([m for _, m, _ in fresh]))
        return len(fresh)

    def _plan(
        self, item: Addressed, now: datetime, withdrawn_alerts: Collection[str]
    ) -> list[PlannedMessage]:
        messages = plan(self._registry, item.request, now, self._quiet, self._disabled)
        if item.request.source_event_id not in withdrawn_alerts:
            return messages
        return [withdrawn(message, WITHDRAWN_REASON) for message in messages]

    def _row(self, item: Addressed, message: PlannedMessage, now: datetime) -> dict[str, Any]:
        address = message.address
        return {
            "public_id": uuid4(),
            "idempotency_key": message.idempotency_key,
            "dossier_code": item.dossier_code,
            "unit_code": item.unit_code,
            "agency_code": item.agency_code,
            "audience": message.message_type.audience.value,
            "message_type": message.message_type.value,
            "channel": message.channel.value,
            "status": message.status.value,
            "reason": message.reason,
            "recipient": address,
            "recipient_hash": address_digest(self._key, address) if address else None,
            "recipient_masked": mask(address) if address else None,
            "content": content_to_json(message.content) if message.content else None,
            "template_version": message.template_version,
            "attempts": 0,
            "not_before": message.not_before,
            "source_event_id": item.request.source_event_id,
            "correlation_id": item.correlation_id,
            "created_at": now,
            "failed_at": now if message.status is PlanStatus.FAILED else None,
        }


def _notice(item: Addressed, row: dict[str, Any], reason: str | None) -> Notice:
    return Notice(
        public_id=row["public_id"],
        dossier_code=item.dossier_code,
        agency_code=item.agency_code,
        message_type=row["message_type"],
        channel=row["channel"],
        audience=row["audience"],
        correlation_id=item.correlation_id,
        failure=reason or "unknown",
    )


def _count(messages: list[PlannedMessage]) -> None:
    for m in messages:
        labels = (m.channel.value, m.message_type.value)
        if m.status is PlanStatus.PENDING:
            metrics.QUEUED.labels(*labels).inc()
        elif m.status is PlanStatus.SKIPPED:
            metrics.SKIPPED.labels(*labels, m.reason or "unknown").inc()
        elif m.status is PlanStatus.WITHDRAWN:
            metrics.WITHDRAWN.labels(*labels).inc()
        else:
            metrics.FAILED.labels(*labels, m.reason or "unknown").inc()
