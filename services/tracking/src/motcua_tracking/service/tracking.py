"""Applying intake's dossier events: one transaction per batch, events in order.

Refusals, chosen per case:
- dead letter (`PermanentError`, redrivable once the cause is fixed): an event without a
  dossier code, an event for a dossier tracking never received (a transfer or a result
  before reception), a second reception of the same code under another event id, an
  instant outside the years the calendar covers;
- `EventRejected` published, state unchanged, the partition moves on: an event the
  dossier's state refuses by a business rule (`out_of_order`, `dossier_closed`,
  `not_holder`, `supplement_pending`, `no_pending_supplement`, `already_reappointed`,
  `new_appointment_not_later`, `apology_reason_missing`, `result_before_finish`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.clock import Clock
from motcua.events import (
    ApologyFiled,
    DossierReceived,
    DossierRefused,
    DossierTransferred,
    DossierWithdrawn,
    Envelope,
    FinancialObligationPaid,
    FinancialObligationSet,
    ProcedureUpdated,
    ProcessingFinished,
    ResultReturned,
    SatisfactionRated,
    SupplementReceived,
    SupplementRequested,
    lifecycle_step,
)
from motcua.lifecycle import status_after
from motcua.messaging import PermanentError, stage
from motcua_tracking.adapters.dossiers import DossierStore
from motcua_tracking.adapters.metrics import EVENTS_APPLIED, REJECTIONS
from motcua_tracking.adapters.procedures import upsert_procedures
from motcua_tracking.domain import (
    CalendarRangeError,
    DossierStatus,
    Granularity,
    Outcome,
    Rejection,
    Rules,
    SupplementPolicy,
    TrackedDossier,
    WorkingCalendar,
)
from motcua_tracking.service.calendars import CalendarBook
from motcua_tracking.service.publishing import envelopes_for, rejection_envelope
from motcua_tracking.service.terms import domain_terms
from motcua_tracking.settings import TrackingSettings

__all__ = ["DossierTracker", "phone_digest"]


def phone_digest(pepper: bytes, code: str, phone: str | None) -> str | None:
    """Keyed hash of the last four digits of a phone number, salted by the dossier code."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 4:
        return None
    return hmac.new(pepper, f"{code}:{digits[-4:]}".encode(), hashlib.sha256).hexdigest()


@dataclass
class _Batch:
    """What one transaction works on."""

    dossiers: dict[str, TrackedDossier]
    touched: dict[str, TrackedDossier]
    outgoing: list[Envelope]
    now: datetime


_Apply = Callable[[TrackedDossier, Any, datetime, datetime, WorkingCalendar], list[Outcome]]


class DossierTracker:
    """The use cases on intake's events, sharing calendars, rules and the clock."""

    def __init__(self, settings: TrackingSettings, clock: Clock, calendars: CalendarBook) -> None:
        deadlines = settings.deadlines
        self.calendars = calendars
        self.clock = clock
        self.rules = Rules(
            Granularity(deadlines.verdict_granularity), tuple(deadlines.due_soon_shares)
        )
        self.policy = SupplementPolicy(deadlines.supplement_policy)
        self.publish_to = settings.topics.publish_to
        self._pepper = settings.api.lookup_pepper.get_secret_value().encode()
        self._apply: dict[type[Any], _Apply] = {
            DossierTransferred: self._transferred,
            SupplementRequested: self._supplement_requested,
            SupplementReceived: self._supplement_received,
            ApologyFiled: self._apology_filed,
            ProcessingFinished: self._finished,
            DossierRefused: self._refused,
            DossierWithdrawn: self._withdrawn,
            ResultReturned: self._result_returned,
            FinancialObligationSet: self._obligation,
            FinancialObligationPaid: self._obligation,
            SatisfactionRated: lambda *_: [],
        }

    def digest(self, code: str, phone: str | None) -> str | None:
        """The stored second factor for a dossier's citizen look-up."""
        return phone_digest(self._pepper, code, phone)

    async def apply(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """Apply a batch of dossier events in order, in the caller's transaction."""
        await self.calendars.refresh(session)
        store = DossierStore(session)
        codes = sorted({e.dossier_code for e in envelopes if e.dossier_code is not None})
        batch = _Batch(await store.load(codes), {}, [], self.clock.now())
        for envelope in envelopes:
            if self._apply_one(batch, envelope):
                EVENTS_APPLIED.labels(envelope.event_type).inc()
        await store.save(batch.touched.values(), self.calendars.for_agency, batch.now)
        await stage(session, *batch.outgoing, topic=self.publish_to)

    async def apply_catalogue(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """Keep the newest name and terms of each procedure."""
        rows = [
            {
                "code": e.data.procedure.code,
                "name": e.data.procedure.name,
                "competent_agency": e.data.competent_agency,
                "revision": e.data.revision,
                "terms": e.data.procedure.model_dump(mode="json"),
                "updated_at": e.recorded_at,
            }
            for e in envelopes
            if isinstance(e.data, ProcedureUpdated)
        ]
        await upsert_procedures(session, rows)

    def _apply_one(self, batch: _Batch, envelope: Envelope) -> bool:
        """Apply one event; False when it was ignored or refused."""
        code, data = envelope.dossier_code, envelope.data
        if code is None:
            raise PermanentError(
                "missing_dossier_code", f"{envelope.event_type} has no dossier code"
            )
        if isinstance(data, DossierReceived):
            self._received(batch, envelope, data, code)
            return True
        apply = self._apply.get(type(data))
        dossier = batch.dossiers.get(code)
        if apply is None or (dossier is None and _ignorable(data)):
            return False
        if dossier is None:
            raise PermanentError(
                "unknown_dossier", f"{envelope.event_type} for {code}, which was never received"
            )
        calendar = self.calendars.for_agency(dossier.agency_code)
        try:
            outcomes = apply(dossier, data, envelope.occurred_at, batch.now, calendar)
        except CalendarRangeError as error:
            raise PermanentError("outside_calendar", str(error)) from None
        except Rejection as refusal:
            REJECTIONS.labels(refusal.code).inc()
            batch.outgoing.append(
                rejection_envelope(envelope, refusal.code, refusal.detail, batch.now)
            )
            return False
        batch.touched[code] = dossier
        batch.outgoing += envelopes_for(dossier, outcomes, now=batch.now, cause=envelope)
        return True

    def _received(
        self, batch: _Batch, envelope: Envelope, data: DossierReceived, code: str
    ) -> None:
        if code in batch.dossiers:
            raise PermanentError(
                "duplicate_reception", f"{code} was already received under another event"
            )
        agency = envelope.agency_code or code.split("-", 1)[0]
        try:
            dossier, outcomes = TrackedDossier.receive(
                code=code,
                agency_code=agency,
                unit_code=data.unit_code,
                procedure_name=data.procedure.name,
                terms=domain_terms(data.procedure),
                policy=self.policy,
                received_at=envelope.occurred_at,
                calendar=self.calendars.for_agency(agency),
                rules=self.rules,
            )
        except CalendarRangeError as error:
            raise PermanentError("outside_calendar", str(error)) from None
        dossier.correlation = str(envelope.correlation_id)
        dossier.phone_hash = self.digest(code, data.applicant.phone)
        batch.dossiers[code] = batch.touched[code] = dossier
        batch.outgoing += envelopes_for(dossier, outcomes, now=batch.now, cause=envelope)

    def _transferred(
        self,
        d: TrackedDossier,
        e: DossierTransferred,
        at: datetime,
        now: datetime,
        cal: WorkingCalendar,
    ) -> list[Outcome]:
        return d.transfer(
            at=at,
            now=now,
            from_unit=e.from_unit,
            to_unit=e.to_unit,
            step_code=e.step_code,
            note=e.note,
            calendar=cal,
            rules=self.rules,
        )

    def _supplement_requested(
        self,
        d: TrackedDossier,
        e: SupplementRequested,
        at: datetime,
        now: datetime,
        cal: WorkingCalendar,
    ) -> list[Outcome]:
        return d.request_supplement(
            at=at, now=now, unit_code=e.unit_code, calendar=cal, rules=self.rules
        )

    def _supplement_received(
        self,
        d: TrackedDossier,
        e: SupplementReceived,
        at: datetime,
        now: datetime,
        cal: WorkingCalendar,
    ) -> list[Outcome]:
        return d.receive_supplement(at=at, now=now, calendar=cal, rules=self.rules)

    def _apology_filed(
        self, d: TrackedDossier, e: ApologyFiled, at: datetime, now: datetime, cal: WorkingCalendar
    ) -> list[Outcome]:
        return d.file_apology(
            at=at,
            now=now,
            unit_code=e.unit_code,
            reason=e.reason,
            new_due=e.new_appointment_at,
            calendar=cal,
            rules=self.rules,
            signed_by=e.signed_by,
        )

    def _finished(
        self,
        d: TrackedDossier,
        e: ProcessingFinished,
        at: datetime,
        now: datetime,
        cal: WorkingCalendar,
    ) -> list[Outcome]:
        status = status_after(d.status, lifecycle_step(e))
        return self._finish(d, at, now, cal, "processing_finished", status, e.unit_code)

    def _refused(
        self,
        d: TrackedDossier,
        e: DossierRefused,
        at: datetime,
        now: datetime,
        cal: WorkingCalendar,
    ) -> list[Outcome]:
        status = status_after(d.status, lifecycle_step(e))
        return self._finish(d, at, now, cal, "refused", status, e.unit_code)

    def _withdrawn(
        self,
        d: TrackedDossier,
        e: DossierWithdrawn,
        at: datetime,
        now: datetime,
        cal: WorkingCalendar,
    ) -> list[Outcome]:
        status = status_after(d.status, lifecycle_step(e))
        return self._finish(d, at, now, cal, "withdrawn", status, None)

    def _finish(
        self,
        d: TrackedDossier,
        at: datetime,
        now: datetime,
        cal: WorkingCalendar,
        ended_by: str,
        status: DossierStatus,
        unit_code: str | None,
    ) -> list[Outcome]:
        return d.finish(
            at=at,
            now=now,
            ended_by=ended_by,
            status=status,
            unit_code=unit_code,
            calendar=cal,
            rules=self.rules,
        )

    def _result_returned(
        self,
        d: TrackedDossier,
        e: ResultReturned,
        at: datetime,
        now: datetime,
        cal: WorkingCalendar,
    ) -> list[Outcome]:
        d.return_result(at=at)
        return []

    def _obligation(
        self, d: TrackedDossier, e: Any, at: datetime, now: datetime, cal: WorkingCalendar
    ) -> list[Outcome]:
        d.set_financial_obligation(at=at, paid=isinstance(e, FinancialObligationPaid))
        return []


def _ignorable(data: Any) -> bool:
    """Events about a dossier tracking never tracked that need no dead letter."""
    return isinstance(data, SatisfactionRated) or (
        isinstance(data, DossierRefused) and data.stage == "reception"
    )
