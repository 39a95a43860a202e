"""Applying a batch of intake's and tracking's events: one transaction, messages recorded.

Intake's applicants' topic comes through here too: an erased applicant's rows of the
delivery log are scrubbed after the batch's messages are recorded (service.erasure).

An alert tracking has withdrawn (AlertWithdrawn, in this batch or an earlier one) is
still recorded, as withdrawn, but changes nothing and is never sent: a withdrawal may
arrive before its alert. An alert whose step had already ended when tracking learnt it
was due asks for no message (`reactions.officials.already_ended`); those are counted.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import procedures_for
from motcua.clock import Clock
from motcua.events import AlertWithdrawn, Envelope
from motcua_notify.adapters import metrics
from motcua_notify.adapters.directory_store import load_units
from motcua_notify.adapters.dossier_store import lock_views, save_views
from motcua_notify.adapters.withdrawal_store import withdrawn_among
from motcua_notify.domain.directory import Directory
from motcua_notify.domain.withdrawals import ALERT_MESSAGES
from motcua_notify.service.erasure import erase
from motcua_notify.service.publishing import after_commit
from motcua_notify.service.reactions import HANDLED, react
from motcua_notify.service.reactions.officials import already_ended
from motcua_notify.service.recording import Addressed, Recorder
from motcua_notify.service.withdrawals import Withdrawals, remember
from motcua_notify.settings import LinkSettings

__all__ = ["EventApplier"]

log = logging.getLogger(__name__)


class EventApplier:
    """The consumer's batch handler: project the events, record the messages they call for."""

    def __init__(
        self,
        recorder: Recorder,
        links: LinkSettings,
        clock: Clock,
        fallback_one_stop: str | None,
        withdrawals: Withdrawals,
    ) -> None:
        self._recorder = recorder
        self._links = links
        self._clock = clock
        self._fallback = fallback_one_stop
        self._withdrawals = withdrawals

    async def __call__(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        """Apply events in order within the consumer's transaction."""
        relevant = [e for e in envelopes if e.dossier_code and isinstance(e.data, HANDLED)]
        if not relevant:
            return
        views = await lock_views(session, (e.dossier_code for e in relevant if e.dossier_code))
        directory = Directory(await load_units(session), self._fallback)
        procedures = await procedures_for(session, relevant)
        now = self._clock.now()
        first_seen = await remember(session, relevant, now)
        withdrawn = await withdrawn_among(session, (_id(e) for e in relevant if _is_alert(e)))
        items: list[Addressed] = []
        changed = set()
        not_erased: set[str] = set()
        for envelope in relevant:
            code = envelope.dossier_code or ""
            if views[code].erased_at is None:
                not_erased.add(code)
            view, asked = react(views[code], envelope, directory, self._links, procedures)
            items += asked
            if _id(envelope) not in withdrawn:
                views[code] = view
                changed.add(code)
        await save_views(session, [views[code] for code in sorted(changed)])
        written = await self._recorder.record(session, items, now, withdrawn)
        await erase(session, relevant, not_erased, now)
        ended = [_alert_type(e) for e in relevant if already_ended(e.data)]
        if ended:
            after_commit(session, lambda: _count_ended(ended))
        for envelope in relevant:
            data = envelope.data
            if isinstance(data, AlertWithdrawn) and data.alert_event_id in first_seen:
                view = views[envelope.dossier_code or ""]
                await self._withdrawals.apply(session, envelope, view, directory, now)
        log.debug(
            "applied events",
            extra={"events": len(relevant), "messages": len(items), "rows_written": written},
        )


def _id(envelope: Envelope) -> str:
    return str(envelope.event_id)


def _alert_type(envelope: Envelope) -> str:
    return ALERT_MESSAGES[envelope.event_type].value


def _count_ended(message_types: list[str]) -> None:
    for message_type in message_types:
        metrics.ALERTS_ALREADY_ENDED.labels(message_type).inc()


def _is_alert(envelope: Envelope) -> bool:
    return envelope.event_type in ALERT_MESSAGES
