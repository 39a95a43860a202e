"""Reactions that write to citizens: the receipt, forms 02–04, the stop notice, the result.

Citizens (forms 01–04, the stop notice, the result) are written to from the view's
applicant contacts and consent, which intake publishes apart from the dossier's events
(`ApplicantRecorded` on the applicants' topic), so they may come before or after them.
An event that needs them before they have arrived is parked in the view and answered
when they do; the receipt (form 01) goes once the applicant, the reception (intake's
DossierReceived) and the appointment (tracking's DeadlineSet) are all known, whichever
comes last, and once only (its source is the reception event). After `ApplicantErased`
nothing is written to the citizen any more: what was parked is dropped and nothing is
parked again.

The result-ready message answers ProcessingFinished with outcome "approved" (status 9):
the citizen hears the result can be collected (early results are flagged, Art. 20(4)).
ResultReturned (status 10) only closes the dossier: the citizen holds the result then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypedDict

from motcua.events import (
    ApologyIssued,
    ApplicantErased,
    ApplicantRecorded,
    DeadlineSet,
    DossierReceived,
    DossierRefused,
    DossierVerdictGiven,
    DossierWithdrawn,
    Event,
    ProcessingFinished,
    ResultReturned,
    SupplementRequested,
    decode,
    encode,
)
from motcua_notify.domain import contexts as ctx
from motcua_notify.domain.dossiers import Citizen, DossierView, FactKind
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.planning import MessageRequest
from motcua_notify.domain.wording import APOLOGY_TEXT, UNKNOWN, collection_place, head_of
from motcua_notify.service.reactions.scene import Outcome, Scene, new_appointment, on, react
from motcua_notify.service.recording import Addressed

__all__ = ["CITIZEN_CHANNELS"]

CITIZEN_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.ZALO})
"""The channels a citizen may be written to on (those they consented to)."""


@on(DossierReceived)
def _on_received(s: Scene, data: DossierReceived) -> Outcome:
    place = collection_place(data.result_delivery, s.directory.name_of(data.unit_code))
    terms = s.procedures.of(data)
    view = replace(
        s.view,
        agency_code=s.envelope.agency_code or s.view.agency_code,
        receiving_unit=data.unit_code,
        holding_unit=s.view.holding_unit or data.unit_code,
        procedure_name=terms.name,
        collection_place=place,
        received_at=s.at,
        received_event_id=str(s.envelope.event_id),
        step_names={step.code: step.name for step in terms.steps},
    )
    return _with_receipt(s, view)


@on(ApplicantRecorded)
def _on_applicant_recorded(s: Scene, data: ApplicantRecorded) -> Outcome:
    """The applicant's contacts: the receipt if it only waited for them, then what was parked.

    Ignored once the applicant was erased: an older record read again brings nothing back.
    """
    if s.view.erased_at is not None:
        return s.view, []
    applicant = data.applicant
    consents = {
        channel
        for channel, agreed in (
            (Channel.EMAIL, applicant.consent.email),
            (Channel.SMS, applicant.consent.sms),
            (Channel.ZALO, applicant.consent.zalo),
        )
        if agreed
    }
    citizen = Citizen(applicant.name, applicant.phone, applicant.email, frozenset(consents))
    view, items = _with_receipt(s, replace(s.view.with_citizen(citizen), parked=()))
    for raw in s.view.parked:
        _, more = react(view, decode(raw), s.directory, s.links, s.procedures)
        items += more
    return view, items


@on(ApplicantErased)
def _on_applicant_erased(s: Scene, _: ApplicantErased) -> Outcome:
    """The applicant is gone from the view for good; the delivery log is scrubbed after
    (service.erasure), in the same transaction."""
    return s.view.erased(s.at), []


@on(DeadlineSet)
def _on_deadline_set(s: Scene, data: DeadlineSet) -> Outcome:
    view = replace(
        s.view,
        agency_code=s.view.agency_code or s.envelope.agency_code,
        receiving_unit=s.view.receiving_unit or data.unit_code,
        holding_unit=s.view.holding_unit or data.unit_code,
        procedure_name=s.view.procedure_name or data.procedure_name,
        step_dues={step.code: step.due_at for step in data.steps},
    ).updated(s.at, new_appointment(data.appointment_at))
    return _with_receipt(s, view)


def _with_receipt(s: Scene, view: DossierView) -> Outcome:
    """The view, and the receipt if it is due now (the view then remembers it went)."""
    if not view.receipt_due or view.citizen is None or view.appointment_at is None:
        return view, []
    context = ctx.ReceiptContext(
        applicant_name=view.citizen.name,
        dossier_code=view.code,
        procedure_name=view.procedure_name or UNKNOWN,
        receiving_unit=s.directory.name_of(view.receiving_unit),
        received_at=view.received_at or s.at,
        appointment_at=view.appointment_at,
        collection_place=view.collection_place or UNKNOWN,
        lookup_url=s.links.lookup_url,
    )
    source = view.received_event_id or str(s.envelope.event_id)
    s = replace(s, view=view)
    receipt = _to_citizen(s, view.citizen, MessageType.RECEIPT, context, source)
    return replace(view, receipt_event_id=source), [receipt]


class _Heading(TypedDict):
    """The fields a citizen's letter from a unit opens with."""

    applicant_name: str
    dossier_code: str
    procedure_name: str
    unit_name: str


def _heading(
    s: Scene, citizen: Citizen, unit_code: str | None, procedure: str | None = None
) -> _Heading:
    return _Heading(
        applicant_name=citizen.name,
        dossier_code=s.view.code,
        procedure_name=procedure or s.procedure,
        unit_name=s.unit_name(unit_code),
    )


@on(SupplementRequested)
def _on_supplement(s: Scene, data: SupplementRequested) -> Outcome:
    unit = s.directory.unit(data.unit_code)

    def context(citizen: Citizen) -> ctx.MessageContext:
        return ctx.SupplementRequestContext(
            **_heading(s, citizen, data.unit_code),
            missing_items=tuple(data.missing_items),
            reason=data.reason,
            contact_person=data.contact_name or (unit.addressee if unit else UNKNOWN),
            contact_phone=data.contact_phone or (unit.phone if unit and unit.phone else UNKNOWN),
            requested_at=s.at,
        )

    return _citizen_message(s, s.view, MessageType.SUPPLEMENT_REQUEST, context)


@on(DossierRefused)
def _on_refused(s: Scene, data: DossierRefused) -> Outcome:

    def context(citizen: Citizen) -> ctx.MessageContext:
        return ctx.RefusalContext(
            **_heading(s, citizen, data.unit_code),
            reasons=tuple(data.reasons),
            refused_at=s.at,
        )

    return _citizen_message(s, _closed(s), MessageType.REFUSAL, context)


@on(ApologyIssued)
def _on_apology_issued(s: Scene, data: ApologyIssued) -> Outcome:
    unit = s.directory.unit(data.unit_code)
    view = s.view.updated(
        s.at, {**new_appointment(data.new_appointment_at), FactKind.OVERDUE: {"overdue": False}}
    )

    def context(citizen: Citizen) -> ctx.MessageContext:
        heading = _heading(s, citizen, data.unit_code, data.procedure_name)
        return ctx.ApologyContext(
            **heading,
            received_at=s.view.received_at or data.filed_at,
            original_due_at=data.original_due_at,
            reason=data.reason,
            apology_text=APOLOGY_TEXT,
            new_appointment_at=data.new_appointment_at,
            signed_by=unit.addressee if unit and unit.head_name else head_of(heading["unit_name"]),
        )

    return _citizen_message(s, view, MessageType.APOLOGY, context)


@on(DossierWithdrawn)
def _on_withdrawn(s: Scene, data: DossierWithdrawn) -> Outcome:

    def context(citizen: Citizen) -> ctx.MessageContext:
        return ctx.StopNoticeContext(
            **_heading(s, citizen, None),
            stopped_at=s.at,
            reason=data.reason,
        )

    return _citizen_message(s, _closed(s), MessageType.STOP_NOTICE, context)


@on(ProcessingFinished)
def _on_finished(s: Scene, data: ProcessingFinished) -> Outcome:
    view = _closed(s)
    if data.outcome != "approved":
        return view, []

    def context(citizen: Citizen) -> ctx.MessageContext:
        return ctx.ResultReadyContext(
            applicant_name=citizen.name,
            dossier_code=s.view.code,
            procedure_name=s.procedure,
            ready_at=s.at,
            appointment_at=s.view.appointment_at or s.at,
            collection_place=s.view.collection_place or UNKNOWN,
            lookup_url=s.links.lookup_url,
        )

    return _citizen_message(s, view, MessageType.RESULT_READY, context)


@on(ResultReturned, DossierVerdictGiven)
def _on_closed(s: Scene, _: Event) -> Outcome:
    return _closed(s), []


def _citizen_message(
    s: Scene,
    view: DossierView,
    message_type: MessageType,
    context: Callable[[Citizen], ctx.MessageContext],
) -> Outcome:
    """The new view and a message to the citizen; parked until their contacts are known
    (dropped if they were erased)."""
    citizen = s.view.citizen
    if citizen is None and s.view.erased_at is not None:
        return view, []
    if citizen is None:
        return replace(view, parked=(*view.parked, encode(s.envelope).decode())), []
    source = str(s.envelope.event_id)
    return view, [_to_citizen(s, citizen, message_type, context(citizen), source)]


def _to_citizen(
    s: Scene,
    citizen: Citizen,
    message_type: MessageType,
    context: ctx.MessageContext,
    source: str,
) -> Addressed:
    request = MessageRequest(
        message_type, s.view.code, source, context, citizen.recipient, CITIZEN_CHANNELS, True
    )
    return s.addressed(request)


def _closed(s: Scene) -> DossierView:
    return s.view.closed(s.at)
