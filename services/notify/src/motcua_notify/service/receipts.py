"""Delivery receipts from gateways: the final word on an accepted message."""

from __future__ import annotations

from enum import StrEnum

from motcua.clock import Clock
from motcua.db import Sessions
from motcua_notify.adapters import metrics
from motcua_notify.adapters.notification_store import find_for_receipt, mark_receipt
from motcua_notify.domain.messages import Channel
from motcua_notify.domain.outcomes import Status
from motcua_notify.service.publishing import Notice, NoticePublisher, after_commit

__all__ = ["ReceiptOutcome", "ReceiptService"]

_DELIVERED = frozenset({"delivered", "delivrd", "success"})
_FAILED = frozenset(
    {"failed", "permanent-failure", "undeliverable", "undelivered", "rejected", "expired"}
)


class ReceiptOutcome(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"
    UNKNOWN = "unknown"


class ReceiptService:
    """Applies receipts; a settled row is left alone, so a repeated receipt changes nothing."""

    def __init__(self, sessions: Sessions, clock: Clock, publisher: NoticePublisher) -> None:
        self._sessions = sessions
        self._clock = clock
        self._publisher = publisher

    async def apply(
        self, channel: Channel, message_id: str, reference: str | None, status: str
    ) -> ReceiptOutcome:
        """Record a receipt; interim statuses ("sent", "queued", ...) are acknowledged only."""
        verdict = status.strip().lower()
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            row = await find_for_receipt(session, channel.value, message_id, reference)
            if row is None:
                outcome = ReceiptOutcome.UNKNOWN
            elif row["status"] not in (Status.SENDING, Status.ACCEPTED) or not (
                verdict in _DELIVERED or verdict in _FAILED
            ):
                outcome = ReceiptOutcome.IGNORED
            elif verdict in _DELIVERED:
                await mark_receipt(session, row["id"], Status.DELIVERED, message_id, None, now)
                outcome = ReceiptOutcome.APPLIED
            else:
                reason = f"receipt_{verdict.replace('-', '_')}"
                await mark_receipt(session, row["id"], Status.FAILED, message_id, reason, now)
                await self._publisher.stage(session, [_failure(row, reason)], now)
                after_commit(
                    session,
                    lambda: metrics.FAILED.labels(channel.value, row["message_type"], reason).inc(),
                )
                outcome = ReceiptOutcome.APPLIED
            label = verdict if verdict in _DELIVERED | _FAILED else "other"
            after_commit(session, lambda: metrics.RECEIPTS.labels(channel.value, label).inc())
        return outcome


def _failure(row: dict[str, object], reason: str) -> Notice:
    return Notice(
        public_id=row["public_id"],  # type: ignore[arg-type]
        dossier_code=row["dossier_code"],  # type: ignore[arg-type]
        agency_code=row["agency_code"],  # type: ignore[arg-type]
        message_type=str(row["message_type"]),
        channel=str(row["channel"]),
        audience=str(row["audience"]),
        correlation_id=row["correlation_id"],  # type: ignore[arg-type]
        failure=reason,
    )
