"""Erasing an applicant (`ApplicantErased`) from the delivery log, in the consumer's transaction.

The dossier view forgets the applicant in `reactions` (and remembers the erasure, so an
older `ApplicantRecorded` read again stores nothing); this scrubs the messages already
recorded: citizen messages not sent yet never go, and no row keeps a body or an address
of the applicant. Run after the batch's messages are recorded, so a receipt recorded in
the same batch, before the erasure, is scrubbed too. Doing it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import ApplicantErased, Envelope
from motcua_notify.adapters import metrics
from motcua_notify.adapters.notification_store import erase_dossiers
from motcua_notify.service.publishing import after_commit

__all__ = ["ERASED_REASON", "erase"]

ERASED_REASON = "applicant_erased"
"""The reason on a citizen message withdrawn because its applicant was erased."""


async def erase(
    session: AsyncSession, envelopes: Sequence[Envelope], first: set[str], now: datetime
) -> None:
    """Scrub the rows of every dossier erased in `envelopes`; `first` names the dossiers
    erased for the first time (counted once, however often the event is read)."""
    erased: list[str] = []
    reasons: list[str] = []
    for envelope in envelopes:
        data = envelope.data
        code = envelope.dossier_code
        if not isinstance(data, ApplicantErased) or code is None:
            continue
        erased.append(code)
        if code in first:
            reasons.append(data.reason)
            first.discard(code)
    unsent = await erase_dossiers(session, erased, ERASED_REASON, now)

    def count() -> None:
        for reason in reasons:
            metrics.ERASURES.labels(reason).inc()
        for channel, message_type in unsent:
            metrics.ERASED_UNSENT.labels(channel, message_type).inc()

    if unsent or reasons:
        after_commit(session, count)
