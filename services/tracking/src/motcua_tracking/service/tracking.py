"""Applying intake's dossier events: one transaction per batch, events in order.

Event time, not arrival time (brief, decision 9): every event applied to a dossier is
kept (`dossier_events`). One that arrives late, older than the dossier's last applied
event or than an alert already fired, is folded in at its place: the dossier is rebuilt
by replaying its events in occurred order (ties in arrival order), timers firing in
the dossier's own time before each, and the differences are published as corrections
with the dossier's next revision (`domain.corrections`): alerts the rebuilt history
does not support are withdrawn (`AlertWithdrawn`), moved due times are reported as
corrected changes, changed verdicts again, new alerts as usual. A dossier tracked
before events were kept cannot be rebuilt: an older event is refused (`out_of_order`).

The tracker works in a `TrackingContext` (clock, calendar book, stores) it shares with
the timer loop and the decision loader. Dossiers, applied events, the calendar and the
outbox are reached only through the context's stores (`service.stores`), within the
caller's transaction; `change` is the unit of work on stored dossiers (load locked,
apply, save, stage), and `follow` the one dispatch from an event to the dossier's
operation.

Refusals, chosen per case:
- dead letter (`PermanentError`, redrivable once the cause is fixed): an event without a
  dossier code, an event for a dossier tracking never received (a transfer or a result
  before reception), a second reception of the same code under another event id, an
  instant outside the years the calendar covers;
- `EventRejected` published, state unchanged, the partition moves on: an event the
  dossier's state refuses by a business rule (`before_reception`, `dossier_closed`,
  `not_holder`, `supplement_pending`, `no_pending_supplement`, `already_reappointed`,
  `new_appointment_not_later`, `apology_reason_missing`, `result_before_finish`), or
  a late one that would make an event already applied after it invalid
  (`conflicts_with_recorded_events`).

The agencies' topic (`apply_agencies`) keeps each agency's office hours, cut-off and
merge. A merge (or a change to one) that reaches tracking after events it concerns,
a step started on or after the merge date for instance, recomputes the open deadlines
of the agencies whose succession it changes on the new one (`calendar_changed`), so
the result does not depend on which topic was read first.

The applicants' topic is applied apart (`apply_applicants`): of an applicant tracking
keeps only the keyed digest of the phone's last digits, for the citizen look-up, in a
table of its own, before or after the dossier's reception arrives; an erasure deletes it
for good. Those events are never kept with the dossier's, so replays name no one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import Procedures, keep_revisions
from motcua.events import (
    AgencyUpdated,
    ApologyFiled,
    ApplicantErased,
    ApplicantRecorded,
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
from motcua.messaging import PermanentError
from motcua_tracking.adapters.applicants import ApplicantDigest, keep_digests
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
    corrections,
)
from motcua_tracking.service.calendars import CalendarBook
from motcua_tracking.service.context import TrackingContext
from motcua_tracking.service.publishing import envelopes_for, rejection_envelope
from motcua_tracking.service.stores import StoredDossiers
from motcua_tracking.service.terms import domain_terms
from motcua_tracking.settings import TrackingSettings

__all__ = ["DossierTracker", "phone_digest"]

_CHUNK = 500  # dossiers recomputed per load when a merge arrives late


def phone_digest(pepper: bytes, code: str, phone: str | None) -> str | None:
    """Keyed hash of the last four digits of a phone number, salted by the dossier code."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 4:
        return None
    return hmac.new(pepper, f"{code}:{digits[-4:]}".encode(), hashlib.sha256).hexdigest()


@dataclass
class _Batch:
    """What one transaction works on."""

    session: AsyncSession
    dossiers: dict[str, TrackedDossier]
    touched: dict[str, TrackedDossier]
    outgoing: list[Envelope]
    now: datetime
    procedures: Procedures
    """The terms of the procedure revisions the batch's receptions name."""
    applied: list[Envelope] = field(default_factory=list)

    def took(
        self, envelope: Envelope, dossier: TrackedDossier, outcomes: list[Outcome], kept: bool
    ) -> None:
        """`envelope` made `dossier` what it is with these outcomes; `kept`: the event is
        kept for replays."""
        self.dossiers[dossier.code] = self.touched[dossier.code] = dossier
        self.outgoing += envelopes_for(dossier, outcomes, now=self.now, cause=envelope)
        if kept:
            self.applied.append(envelope)


_Apply = Callable[[TrackedDossier, Any, datetime, datetime, WorkingCalendar], list[Outcome]]


class DossierTracker:
    """The use cases on intake's events, in a context (clock, calendars, stores) it shares
    with the timer loop and the decision loader, and on the configured rules."""

    def __init__(self, settings: TrackingSettings, context: TrackingContext) -> None:
        """The tracker working in `context`, the one the composition root also hands the
        timer loop and the decision loader."""
        deadlines = settings.deadlines
        self.context = context
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

    @property
    def calendars(self) -> CalendarBook:
        """The calendar book the tracker computes deadlines on (its context's)."""
        return self.context.calendars

    def digest(self, code: str, phone: str | None) -> str | None:
        """The stored second factor for a dossier's citizen look-up."""
        return phone_digest(self._pepper, code, phone)

    async def apply(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """Apply a batch of dossier events in order, in the caller's transaction."""
        stores = self.context.stores
        await self.calendars.refresh(stores.calendar(session))
        store = stores.dossiers(session)
        codes = sorted({e.dossier_code for e in envelopes if e.dossier_code is not None})
        procedures = await stores.procedures(session, envelopes)
        dossiers, now = await store.load(codes), self.context.clock.now()
        batch = _Batch(session, dossiers, {}, [], now, procedures)
        for envelope in envelopes:
            if await self._apply_one(batch, store, envelope):
                EVENTS_APPLIED.labels(envelope.event_type).inc()
        await store.save(batch.touched.values(), self.calendars.for_agency, batch.now)
        await store.record(batch.applied)
        await stores.outbox(session).stage(batch.outgoing, topic=self.publish_to)

    async def apply_applicants(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """Keep the look-up digest of each dossier's applicant, or forget it on erasure.

        Only the digest is written: no envelope of this topic is kept (`dossier_events`
        is replayed and kept for ever), so nothing of the person outlives an erasure."""
        digests: dict[str, ApplicantDigest] = {}
        for envelope in envelopes:
            code, data = envelope.dossier_code, envelope.data
            if code is None:
                raise PermanentError(
                    "missing_dossier_code", f"{envelope.event_type} has no dossier code"
                )
            known = digests.get(code)
            erased_at = known.erased_at if known else None
            if isinstance(data, ApplicantErased):
                digests[code] = ApplicantDigest(None, erased_at or envelope.occurred_at)
            elif isinstance(data, ApplicantRecorded) and erased_at is None:
                digests[code] = ApplicantDigest(self.digest(code, data.applicant.phone))
            else:
                continue
            EVENTS_APPLIED.labels(envelope.event_type).inc()
        await keep_digests(session, digests)

    async def apply_agencies(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """Keep the agencies' states; recompute the open deadlines a changed merge moves."""
        states = [e.data for e in envelopes if isinstance(e.data, AgencyUpdated)]
        if not states:
            return
        stored = self.context.stores.calendar(session)
        await self.calendars.refresh(stored)
        old = self.calendars.snapshot()
        await stored.keep_agencies(states)
        await self.calendars.refresh(stored)
        new = self.calendars
        codes = sorted(
            code
            for code in old.merged_agencies() | new.merged_agencies()
            if old.succession(code) != new.succession(code)
        )
        if not codes:
            return
        store, now = self.context.stores.dossiers(session), self.context.clock.now()
        found = await store.open_codes(codes)
        for start in range(0, len(found), _CHUNK):
            await self.recalendar(session, found[start : start + _CHUNK], old, new, now)

    async def change(
        self,
        session: AsyncSession,
        codes: Sequence[str],
        change: Callable[[TrackedDossier], list[Outcome]],
        *,
        now: datetime,
        calendars: CalendarBook | None = None,
        lock: bool = True,
    ) -> dict[str, TrackedDossier]:
        """The unit of work on stored dossiers, in the caller's transaction: load them
        (locked in code order unless told not to), apply `change` to each, save them (their
        timers on `calendars`, else the book in use) and stage the events the outcomes call
        for. Events from intake are applied by `apply`, which folds late ones in."""
        stores = self.context.stores
        store = stores.dossiers(session)
        dossiers = await store.load(codes, lock=lock)
        outgoing: list[Envelope] = []
        for dossier in dossiers.values():
            outgoing += envelopes_for(dossier, change(dossier), now=now)
        await store.save(dossiers.values(), (calendars or self.calendars).for_agency, now)
        await stores.outbox(session).stage(outgoing, topic=self.publish_to)
        return dossiers

    async def recalendar(
        self,
        session: AsyncSession,
        codes: Sequence[str],
        old: CalendarBook,
        new: CalendarBook,
        now: datetime,
    ) -> int:
        """Move these dossiers' open deadlines from the calendars of `old` to those of `new`
        (a decision loaded, a merge changed); returns how many deadlines moved."""
        moved = 0

        def move(dossier: TrackedDossier) -> list[Outcome]:
            nonlocal moved
            outcomes = dossier.recalendar(
                old=old.for_agency(dossier.agency_code),
                new=new.for_agency(dossier.agency_code),
                at=now,
                rules=self.rules,
            )
            moved += len(outcomes)
            return outcomes

        await self.change(session, codes, move, now=now, calendars=new)
        return moved

    async def apply_catalogue(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """Keep every revision of each procedure (receptions name theirs), and the newest
        name and terms."""
        await keep_revisions(session, envelopes)
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

    async def _apply_one(self, batch: _Batch, store: StoredDossiers, envelope: Envelope) -> bool:
        """Apply one event; False when it was ignored or refused."""
        code, data = envelope.dossier_code, envelope.data
        if code is None:
            raise PermanentError(
                "missing_dossier_code", f"{envelope.event_type} has no dossier code"
            )
        if isinstance(data, DossierReceived):
            self._received(batch, envelope, data, code)
            return True
        dossier = batch.dossiers.get(code)
        if type(data) not in self._apply or (dossier is None and _ignorable(data)):
            return False
        if dossier is None:
            raise PermanentError(
                "unknown_dossier", f"{envelope.event_type} for {code}, which was never received"
            )
        calendar = self.calendars.for_agency(dossier.agency_code)
        try:
            history = await self._history(batch, store, dossier, envelope)
            if history is None:
                outcomes = self.follow(
                    dossier, data, at=envelope.occurred_at, now=batch.now, calendar=calendar
                )
            else:
                procedures = await self.context.stores.procedures(batch.session, history[:1])
                dossier, outcomes = self._rebuild(dossier, history, envelope, batch.now, procedures)
        except CalendarRangeError as error:
            raise PermanentError("outside_calendar", str(error)) from None
        except Rejection as refusal:
            REJECTIONS.labels(refusal.code).inc()
            batch.outgoing.append(
                rejection_envelope(envelope, refusal.code, refusal.detail, batch.now)
            )
            return False
        batch.took(envelope, dossier, outcomes, kept=not isinstance(data, SatisfactionRated))
        return True

    async def _history(
        self, batch: _Batch, store: StoredDossiers, dossier: TrackedDossier, envelope: Envelope
    ) -> list[Envelope] | None:
        """The dossier's applied events if `envelope` arrives late and must be folded in."""
        at = envelope.occurred_at
        late = at < dossier.last_event_at or any(
            timer.fired_at is not None and not timer.cancelled and timer.fire_at > at
            for timer in dossier.timers
        )
        if not late or isinstance(envelope.data, SatisfactionRated):
            return None
        code = dossier.code
        history = await store.history(code) + [e for e in batch.applied if e.dossier_code == code]
        if not history or not isinstance(history[0].data, DossierReceived):
            return None  # tracked before events were kept: applied as it comes
        return history

    def _rebuild(
        self,
        old: TrackedDossier,
        history: list[Envelope],
        late: Envelope,
        now: datetime,
        procedures: Procedures,
    ) -> tuple[TrackedDossier, list[Outcome]]:
        """The dossier replayed with the late event at its place, and what to correct."""
        events = sorted([*history, late], key=lambda e: e.occurred_at)
        if events[0] is not history[0]:
            raise Rejection(
                "before_reception",
                f"{late.event_type} at {late.occurred_at.isoformat()} precedes the reception "
                f"({history[0].occurred_at.isoformat()})",
            )
        dossier, replayed = self.receive(history[0], procedures)
        calendar = self.calendars.for_agency(dossier.agency_code)
        for event in events[1:]:
            try:
                replayed += self.follow(
                    dossier, event.data, at=event.occurred_at, now=now, calendar=calendar
                )
            except Rejection as refusal:
                if event is late:
                    raise
                raise Rejection(
                    "conflicts_with_recorded_events",
                    f"with it, {event.event_type} {event.event_id} at "
                    f"{event.occurred_at.isoformat()} would be refused: {refusal.detail}",
                ) from None
        # Up to the last alert already given, so each is confirmed or withdrawn; later
        # ones are the timer loop's, which waits for the consumer to catch up.
        fired = [timer.fire_at for timer in old.timers if timer.fired_at is not None]
        if fired:
            replayed += dossier.advance(min(max(fired), now), now)
        dossier.revision = old.revision + 1
        found = corrections(
            old, dossier, replayed, at=late.occurred_at, calendar=calendar, rules=self.rules
        )
        return dossier, found

    def receive(
        self, envelope: Envelope, procedures: Procedures
    ) -> tuple[TrackedDossier, list[Outcome]]:
        """A dossier as its reception made it, in memory: the terms of the revision it
        names among `procedures`, the calendar of its agency, the configured rules."""
        data, code = envelope.data, envelope.dossier_code
        assert isinstance(data, DossierReceived) and code is not None
        agency = envelope.agency_code or code.split("-", 1)[0]
        terms = procedures.of(data)
        dossier, outcomes = TrackedDossier.receive(
            code=code,
            agency_code=agency,
            unit_code=data.unit_code,
            procedure_name=terms.name,
            terms=domain_terms(terms),
            policy=self.policy,
            received_at=envelope.occurred_at,
            calendar=self.calendars.for_agency(agency),
            rules=self.rules,
        )
        dossier.correlation = str(envelope.correlation_id)
        return dossier, outcomes

    def _received(
        self, batch: _Batch, envelope: Envelope, data: DossierReceived, code: str
    ) -> None:
        if code in batch.dossiers:
            raise PermanentError(
                "duplicate_reception", f"{code} was already received under another event"
            )
        try:
            dossier, outcomes = self.receive(envelope, batch.procedures)
        except CalendarRangeError as error:
            raise PermanentError("outside_calendar", str(error)) from None
        batch.took(envelope, dossier, outcomes, kept=True)

    def follow(
        self,
        dossier: TrackedDossier,
        event: Any,
        *,
        at: datetime,
        now: datetime,
        calendar: WorkingCalendar,
    ) -> list[Outcome]:
        """Apply one of intake's dossier events other than a reception to `dossier` in
        memory, as occurred `at` and processed `now`, on the dossier's `calendar`: the one
        dispatch from event type to the dossier's operation, which both applying a batch
        and replaying a dossier's history use. Raises `Rejection` when the dossier's state
        refuses it, `KeyError` for an event type tracking does not follow."""
        return self._apply[type(event)](dossier, event, at, now, calendar)

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
