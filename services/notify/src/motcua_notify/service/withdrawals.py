"""Alerts tracking withdrew: never sent if not gone yet, corrected where someone was told.

Runs in the consumer's transaction, after the batch's views are saved and its messages
recorded. Only a withdrawal seen for the first time acts (the alert's row in
`alert_withdrawals` is new), so a redelivery or a second withdrawal of the same alert
does nothing; the corrections' idempotency keys hold even if that record were lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import AlertWithdrawn, Envelope
from motcua_notify.adapters import metrics
from motcua_notify.adapters.notification_store import Told, told_of, withdraw_pending
from motcua_notify.adapters.withdrawal_store import remember_withdrawals, set_outcome
from motcua_notify.domain.contacts import Recipient
from motcua_notify.domain.contexts import AlertWithdrawnContext
from motcua_notify.domain.directory import Directory
from motcua_notify.domain.dossiers import DossierView
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.planning import MessageRequest
from motcua_notify.domain.withdrawals import ALERT_MESSAGES, WITHDRAWN_REASON, outcome_of
from motcua_notify.domain.wording import UNKNOWN, WHOLE_DOSSIER, alert_name, withdrawal_reason
from motcua_notify.service.digest import digest_day, unit_digest
from motcua_notify.service.publishing import after_commit
from motcua_notify.service.recording import Addressed, Recorder
from motcua_notify.settings import DigestSettings, LinkSettings

__all__ = ["Withdrawals", "remember"]

SUPERSEDED = "superseded"
"""The reason on a pending digest replaced by one written after a withdrawal."""


async def remember(session: AsyncSession, envelopes: Sequence[Envelope], now: datetime) -> set[str]:
    """Record the batch's withdrawals; return the alert ids withdrawn for the first time."""
    rows = [_row(e, e.data, now) for e in envelopes if isinstance(e.data, AlertWithdrawn)]
    return await remember_withdrawals(session, rows)


class Withdrawals:
    """Acts on a first-seen withdrawal: stop the alert, correct it, refresh pending digests."""

    def __init__(self, recorder: Recorder, links: LinkSettings, digest: DigestSettings) -> None:
        self._recorder = recorder
        self._links = links
        self._digest = digest

    async def apply(
        self,
        session: AsyncSession,
        envelope: Envelope,
        view: DossierView,
        directory: Directory,
        now: datetime,
    ) -> None:
        """Act on one withdrawal whose view (already saved) reflects it."""
        data: AlertWithdrawn = envelope.data  # type: ignore[assignment]
        message_type = ALERT_MESSAGES[data.alert_type]
        stopped = await withdraw_pending(
            session,
            WITHDRAWN_REASON,
            source_event_id=data.alert_event_id,
            message_type=message_type.value,
        )
        told = await told_of(session, data.alert_event_id, message_type.value)
        corrections = [
            self._correction(envelope, data, message_type, view, directory, t) for t in told
        ]
        await self._recorder.record(session, corrections, now)
        if message_type is MessageType.OVERDUE:
            await self._refresh_digests(session, envelope, data, view, directory, now)
        outcome = outcome_of(len(told), len(stopped))
        await set_outcome(session, data.alert_event_id, outcome.value)

        def count() -> None:
            for channel, _, _ in stopped:
                metrics.WITHDRAWN.labels(channel, message_type.value).inc()
            metrics.ALERT_WITHDRAWALS.labels(message_type.value, outcome.value).inc()

        after_commit(session, count)

    def _correction(
        self,
        envelope: Envelope,
        data: AlertWithdrawn,
        message_type: MessageType,
        view: DossierView,
        directory: Directory,
        told: Told,
    ) -> Addressed:
        channel = Channel(told.channel)
        unit = directory.unit(told.unit_code)
        context = AlertWithdrawnContext(
            official_name=unit.addressee if unit else directory.name_of(told.unit_code),
            unit_name=directory.name_of(data.unit_code),
            dossier_code=view.code,
            procedure_name=view.procedure_name or UNKNOWN,
            step_name=view.step_name(data.step_code, WHOLE_DOSSIER),
            alert_name=alert_name(message_type),
            alert_kind=message_type.value,
            alerted_at=told.sent_at or told.created_at,
            due_at=data.due_at,
            reason=withdrawal_reason(data.reason, data.scope),
            dossier_url=self._links.dossier(view.code),
        )
        request = MessageRequest(
            MessageType.ALERT_WITHDRAWN,
            view.code,
            str(envelope.event_id),
            context,
            _only(channel, told.recipient),
            frozenset({channel}),
        )
        return Addressed(
            request,
            view.code,
            unit_code=told.unit_code,
            agency_code=view.agency_code or envelope.agency_code,
            correlation_id=envelope.correlation_id,
        )

    async def _refresh_digests(
        self,
        session: AsyncSession,
        envelope: Envelope,
        data: AlertWithdrawn,
        view: DossierView,
        directory: Directory,
        now: datetime,
    ) -> None:
        """Digests written but not sent yet listed the dossier as overdue: write them anew."""
        units = sorted({data.unit_code, *([view.holding_unit] if view.holding_unit else [])})
        stale = await withdraw_pending(
            session, SUPERSEDED, message_type=MessageType.DAILY_DIGEST.value, unit_codes=units
        )
        items = []
        for code, day in sorted({(code, digest_day(source)) for _, code, source in stale if code}):
            unit = directory.unit(code)
            source = f"{day.isoformat()}:{envelope.event_id}"
            item = unit and await unit_digest(
                session, unit, day, now, source, self._links, self._digest
            )
            if item:
                items.append(item)
        await self._recorder.record(session, items, now)


def _only(channel: Channel, address: str | None) -> Recipient:
    """The recipient at the address a message went to, on that channel only."""
    consents = frozenset({channel})
    if channel is Channel.EMAIL:
        return Recipient(email=address, consents=consents)
    if channel is Channel.WEBHOOK:
        return Recipient(webhook_url=address, consents=consents)
    return Recipient(phone=address, consents=consents)


def _row(envelope: Envelope, data: AlertWithdrawn, now: datetime) -> dict[str, Any]:
    return {
        "alert_event_id": data.alert_event_id,
        "withdrawal_event_id": str(envelope.event_id),
        "dossier_code": envelope.dossier_code,
        "message_type": ALERT_MESSAGES[data.alert_type].value,
        "reason": data.reason,
        "outcome": None,
        "recorded_at": now,
    }
