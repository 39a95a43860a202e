"""Who is told what, event by event: updates the dossier view and asks for messages.

Citizens (forms 01–04, the stop notice, the result) are written to from the view's
applicant contacts and consent, which intake publishes apart from the dossier's events
(`ApplicantRecorded` on the applicants' topic), so they may come before or after them.
An event that needs them before they have arrived is parked in the view and answered
when they do; the receipt (form 01) goes once the applicant, the reception (intake's
DossierReceived) and the appointment (tracking's DeadlineSet) are all known, whichever
comes last, and once only (its source is the reception event). After `ApplicantErased`
nothing is written to the citizen any more: what was parked is dropped and nothing is
parked again. Officials are written to through the units directory, erased or not.

The result-ready message answers ProcessingFinished with outcome "approved" (status 9):
the citizen hears the result can be collected (early results are flagged, Art. 20(4)).
ResultReturned (status 10) only closes the dossier: the citizen holds the result then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from motcua.catalogue import Procedures
from motcua.events import (
    AlertWithdrawn,
    ApologyIssued,
    ApologyRequired,
    ApplicantErased,
    ApplicantRecorded,
    DeadlineChanged,
    DeadlineSet,
    DossierDueSoon,
    DossierEscalated,
    DossierOverdue,
    DossierReceived,
    DossierRefused,
    DossierTransferred,
    DossierVerdictGiven,
    DossierWithdrawn,
    Envelope,
    Event,
    ProcessingFinished,
    ResultReturned,
    SupplementRequested,
    decode,
    encode,
)
from motcua_notify.domain import contexts as ctx
from motcua_notify.domain.directory import Directory, UnitContact
from motcua_notify.domain.dossiers import Citizen, DossierView, FactKind
from motcua_notify.domain.lateness import overdue_working_days
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.planning import MessageRequest
from motcua_notify.domain.rendering import required_channels
from motcua_notify.domain.wording import (
    APOLOGY_TEXT,
    ONE_STOP_OFFICE,
    UNKNOWN,
    WHOLE_DOSSIER,
    collection_place,
    escalation_reason,
    head_of,
)
from motcua_notify.service.recording import Addressed

__all__ = ["HANDLED", "Links", "react"]

CITIZEN_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.ZALO})


@dataclass(frozen=True)
class Links:
    """Links printed in messages."""

    lookup_url: str
    dossier_url: str
    dashboard_url: str

    def dossier(self, code: str) -> str:
        """The officials' page of a dossier."""
        return self.dossier_url.format(code=code)

    def dashboard(self, unit: str) -> str:
        """The officials' page of a unit."""
        return self.dashboard_url.format(unit=unit)


@dataclass(frozen=True)
class _Scene:
    view: DossierView
    envelope: Envelope
    directory: Directory
    links: Links
    procedures: Procedures

    @property
    def at(self) -> datetime:
        moment: datetime = self.envelope.occurred_at
        return moment

    def unit_name(self, code: str | None) -> str:
        return self.directory.name_of(code or self.view.holding_unit or self.view.receiving_unit)

    @property
    def procedure(self) -> str:
        return self.view.procedure_name or UNKNOWN


Outcome = tuple[DossierView, list[Addressed]]
_E = TypeVar("_E", bound=Event)
_Handler = Callable[[_Scene, _E], Outcome]

_HANDLERS: dict[type[Event], Callable[[_Scene, Any], Outcome]] = {}
"""The handler of each event type. A dict cannot tie a key's type to its value's, so the
values take `Any`; `_on` files each handler only under the types it takes."""


def _on(*event_types: type[_E]) -> Callable[[_Handler[_E]], _Handler[_E]]:
    """Register the decorated function as the handler of these event types.

    mypy checks that it takes events of these types (of several: a type they all share).
    """

    def register(handler: _Handler[_E]) -> _Handler[_E]:
        for event_type in event_types:
            if event_type in _HANDLERS:
                raise TypeError(f"{event_type.__name__} has two handlers")
            _HANDLERS[event_type] = handler
        return handler

    return register


def react(
    view: DossierView,
    envelope: Envelope,
    directory: Directory,
    links: Links,
    procedures: Procedures,
) -> Outcome:
    """Apply one event to a dossier's view; return the new view and the messages it calls
    for. `procedures` holds the terms of the revisions the batch's receptions name."""
    handler = _HANDLERS.get(type(envelope.data))
    if handler is None:
        return view, []
    return handler(_Scene(view, envelope, directory, links, procedures), envelope.data)


# Citizens


@_on(DossierReceived)
def _on_received(s: _Scene, data: DossierReceived) -> Outcome:
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
    items = _receipt(replace(s, view=view))
    return _receipt_sent(view, items), items


@_on(ApplicantRecorded)
def _on_applicant_recorded(s: _Scene, data: ApplicantRecorded) -> Outcome:
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
    view = replace(s.view.with_citizen(citizen), parked=())
    items = _receipt(replace(s, view=view))
    view = _receipt_sent(view, items)
    for raw in s.view.parked:
        _, more = react(view, decode(raw), s.directory, s.links, s.procedures)
        items += more
    return view, items


@_on(ApplicantErased)
def _on_applicant_erased(s: _Scene, _: ApplicantErased) -> Outcome:
    """The applicant is gone from the view for good; the delivery log is scrubbed after
    (service.erasure), in the same transaction."""
    return s.view.erased(s.at), []


@_on(DeadlineSet)
def _on_deadline_set(s: _Scene, data: DeadlineSet) -> Outcome:
    view = replace(
        s.view,
        agency_code=s.view.agency_code or s.envelope.agency_code,
        receiving_unit=s.view.receiving_unit or data.unit_code,
        holding_unit=s.view.holding_unit or data.unit_code,
        procedure_name=s.view.procedure_name or data.procedure_name,
        step_dues={step.code: step.due_at for step in data.steps},
    ).updated(
        s.at,
        {
            FactKind.APPOINTMENT: {"appointment_at": data.appointment_at},
            FactKind.DUE: {"due_at": data.appointment_at},
        },
    )
    items = _receipt(replace(s, view=view))
    return _receipt_sent(view, items), items


def _receipt(s: _Scene) -> list[Addressed]:
    view = s.view
    if not view.receipt_due or view.citizen is None or view.appointment_at is None:
        return []
    context = ctx.ReceiptContext(
        applicant_name=view.citizen.name,
        dossier_code=view.code,
        procedure_name=s.procedure,
        receiving_unit=s.directory.name_of(view.receiving_unit),
        received_at=view.received_at or s.at,
        appointment_at=view.appointment_at,
        collection_place=view.collection_place or UNKNOWN,
        lookup_url=s.links.lookup_url,
    )
    source = view.received_event_id or str(s.envelope.event_id)
    return [_to_citizen(s, view.citizen, MessageType.RECEIPT, context, source)]


def _receipt_sent(view: DossierView, items: list[Addressed]) -> DossierView:
    if not items:
        return view
    return replace(view, receipt_event_id=items[0].request.source_event_id)


@_on(SupplementRequested)
def _on_supplement(s: _Scene, data: SupplementRequested) -> Outcome:
    unit = s.directory.unit(data.unit_code)

    def context(citizen: Citizen) -> ctx.MessageContext:
        return ctx.SupplementRequestContext(
            applicant_name=citizen.name,
            dossier_code=s.view.code,
            procedure_name=s.procedure,
            unit_name=s.unit_name(data.unit_code),
            missing_items=tuple(data.missing_items),
            reason=data.reason,
            contact_person=data.contact_name or (unit.addressee if unit else UNKNOWN),
            contact_phone=data.contact_phone or (unit.phone if unit and unit.phone else UNKNOWN),
            requested_at=s.at,
        )

    return _citizen_message(s, s.view, MessageType.SUPPLEMENT_REQUEST, context)


@_on(DossierRefused)
def _on_refused(s: _Scene, data: DossierRefused) -> Outcome:

    def context(citizen: Citizen) -> ctx.MessageContext:
        return ctx.RefusalContext(
            applicant_name=citizen.name,
            dossier_code=s.view.code,
            procedure_name=s.procedure,
            unit_name=s.unit_name(data.unit_code),
            reasons=tuple(data.reasons),
            refused_at=s.at,
        )

    return _citizen_message(s, _closed(s), MessageType.REFUSAL, context)


@_on(ApologyIssued)
def _on_apology_issued(s: _Scene, data: ApologyIssued) -> Outcome:
    unit = s.directory.unit(data.unit_code)
    view = s.view.updated(
        s.at,
        {
            FactKind.APPOINTMENT: {"appointment_at": data.new_appointment_at},
            FactKind.DUE: {"due_at": data.new_appointment_at},
            FactKind.OVERDUE: {"overdue": False},
        },
    )

    def context(citizen: Citizen) -> ctx.MessageContext:
        unit_name = s.unit_name(data.unit_code)
        return ctx.ApologyContext(
            applicant_name=citizen.name,
            dossier_code=s.view.code,
            procedure_name=data.procedure_name or s.procedure,
            unit_name=unit_name,
            received_at=s.view.received_at or data.filed_at,
            original_due_at=data.original_due_at,
            reason=data.reason,
            apology_text=APOLOGY_TEXT,
            new_appointment_at=data.new_appointment_at,
            signed_by=unit.addressee if unit and unit.head_name else head_of(unit_name),
        )

    return _citizen_message(s, view, MessageType.APOLOGY, context)


@_on(DossierWithdrawn)
def _on_withdrawn(s: _Scene, data: DossierWithdrawn) -> Outcome:

    def context(citizen: Citizen) -> ctx.MessageContext:
        return ctx.StopNoticeContext(
            applicant_name=citizen.name,
            dossier_code=s.view.code,
            procedure_name=s.procedure,
            unit_name=s.unit_name(None),
            stopped_at=s.at,
            reason=data.reason,
        )

    return _citizen_message(s, _closed(s), MessageType.STOP_NOTICE, context)


@_on(ProcessingFinished)
def _on_finished(s: _Scene, data: ProcessingFinished) -> Outcome:
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


@_on(ResultReturned, DossierVerdictGiven)
def _on_closed(s: _Scene, _: Event) -> Outcome:
    return _closed(s), []


def _citizen_message(
    s: _Scene,
    view: DossierView,
    message_type: MessageType,
    context: Callable[[Citizen], ctx.MessageContext],
) -> Outcome:
    citizen = s.view.citizen
    if citizen is None and s.view.erased_at is not None:
        return view, []
    if citizen is None:
        return replace(view, parked=(*view.parked, encode(s.envelope).decode())), []
    source = str(s.envelope.event_id)
    return view, [_to_citizen(s, citizen, message_type, context(citizen), source)]


def _to_citizen(
    s: _Scene,
    citizen: Citizen,
    message_type: MessageType,
    context: ctx.MessageContext,
    source: str,
) -> Addressed:
    request = MessageRequest(
        message_type, s.view.code, source, context, citizen.recipient, CITIZEN_CHANNELS, True
    )
    return Addressed(
        request,
        s.view.code,
        agency_code=s.view.agency_code or s.envelope.agency_code,
        correlation_id=s.envelope.correlation_id,
    )


def _closed(s: _Scene) -> DossierView:
    return s.view.closed(s.at)


# Dossier state without messages


@_on(DossierTransferred)
def _on_transferred(s: _Scene, data: DossierTransferred) -> Outcome:
    step = data.step_code or s.view.current_step
    due = s.view.step_dues.get(step) if step else None
    view = s.view.updated(
        s.at,
        {
            FactKind.HOLDER: {"holding_unit": data.to_unit, "current_step": step},
            FactKind.DUE: {"due_at": due or s.view.appointment_at or s.view.due_at},
            FactKind.OVERDUE: {"overdue": False},
        },
    )
    return view, []


@_on(DeadlineChanged)
def _on_deadline_changed(s: _Scene, data: DeadlineChanged) -> Outcome:
    if data.new_due_at is None:
        return s.view, []
    if data.scope == "step" and data.step_code:
        dues = {**s.view.step_dues, data.step_code: data.new_due_at}
        view = replace(s.view, step_dues=dues)
        if data.step_code == s.view.current_step:
            view = view.updated(s.at, {FactKind.DUE: {"due_at": data.new_due_at}})
        return view, []
    facts = {
        FactKind.APPOINTMENT: {"appointment_at": data.new_due_at},
        FactKind.DUE: {"due_at": data.new_due_at},
    }
    return s.view.updated(s.at, facts), []


# Officials


@_on(DossierDueSoon)
def _on_due_soon(s: _Scene, data: DossierDueSoon) -> Outcome:
    view = s.view.updated(
        s.at,
        {FactKind.HOLDER: {"holding_unit": data.unit_code}, FactKind.DUE: {"due_at": data.due_at}},
    )
    unit = s.directory.unit(data.unit_code)
    context = ctx.DueSoonContext(
        official_name=unit.addressee if unit else s.unit_name(data.unit_code),
        unit_name=s.unit_name(data.unit_code),
        dossier_code=s.view.code,
        procedure_name=s.procedure,
        step_name=s.view.step_name(data.step_code, WHOLE_DOSSIER),
        due_at=data.due_at,
        dossier_url=s.links.dossier(s.view.code),
    )
    return view, [_to_unit(s, data.unit_code, unit, MessageType.DUE_SOON, context)]


@_on(DossierOverdue)
def _on_overdue(s: _Scene, data: DossierOverdue) -> Outcome:
    view = s.view.updated(
        s.at,
        {
            FactKind.HOLDER: {"holding_unit": data.unit_code},
            FactKind.DUE: {"due_at": data.due_at},
            FactKind.OVERDUE: {"overdue": True, "overdue_alert_id": str(s.envelope.event_id)},
        },
    )
    unit = s.directory.unit(data.unit_code)
    context = ctx.OverdueContext(
        official_name=unit.addressee if unit else s.unit_name(data.unit_code),
        unit_name=s.unit_name(data.unit_code),
        dossier_code=s.view.code,
        procedure_name=s.procedure,
        step_name=s.view.step_name(data.step_code, WHOLE_DOSSIER),
        due_at=data.due_at,
        overdue_working_days=overdue_working_days(data.due_at, s.at),
        dossier_url=s.links.dossier(s.view.code),
    )
    return view, [_to_unit(s, data.unit_code, unit, MessageType.OVERDUE, context)]


@_on(ApologyRequired)
def _on_apology_required(s: _Scene, data: ApologyRequired) -> Outcome:
    unit = s.directory.unit(data.unit_code)
    context = ctx.ApologyRequiredContext(
        unit_name=s.unit_name(data.unit_code),
        dossier_code=s.view.code,
        procedure_name=s.procedure,
        applicant_name=s.view.citizen.name if s.view.citizen else UNKNOWN,
        appointment_at=s.view.appointment_at or data.due_at,
        apology_due_at=data.due_at,
        dossier_url=s.links.dossier(s.view.code),
    )
    return s.view, [_to_unit(s, data.unit_code, unit, MessageType.APOLOGY_REQUIRED, context)]


@_on(DossierEscalated)
def _on_escalated(s: _Scene, data: DossierEscalated) -> Outcome:
    office = s.directory.one_stop_of(s.view.agency_code or s.envelope.agency_code)
    context = ctx.EscalationContext(
        head_name=office.addressee if office else UNKNOWN,
        office_name=office.name if office else ONE_STOP_OFFICE,
        dossier_code=s.view.code,
        procedure_name=s.procedure,
        late_unit_name=s.unit_name(data.unit_code),
        step_name=s.view.step_name(s.view.current_step, WHOLE_DOSSIER),
        due_at=data.due_at,
        reason=escalation_reason(data.reason),
        dossier_url=s.links.dossier(s.view.code),
    )
    code = office.code if office else None
    return s.view, [_to_unit(s, code, office, MessageType.ESCALATION, context)]


@_on(AlertWithdrawn)
def _on_alert_withdrawn(s: _Scene, data: AlertWithdrawn) -> Outcome:
    """An overdue alert withdrawn: the dossier is not overdue on its account (nor at its due)."""
    if data.alert_type != "tracking.overdue":
        return s.view, []
    view = replace(s.view, cleared_due_at=data.due_at)
    if s.view.overdue_alert_id == data.alert_event_id:
        view = replace(view, overdue=False, overdue_alert_id=None)
    return view, []


def _to_unit(
    s: _Scene,
    unit_code: str | None,
    unit: UnitContact | None,
    message_type: MessageType,
    context: ctx.MessageContext,
) -> Addressed:
    """A message to a unit on its channels; an unknown unit is recorded as a missing contact."""
    recipient = unit.recipient if unit else UnitContact("", "", "", "").recipient
    usable = unit.channels & required_channels(message_type) if unit else frozenset()
    channels = usable or frozenset({Channel.EMAIL})
    request = MessageRequest(
        message_type, s.view.code, str(s.envelope.event_id), context, recipient, channels
    )
    return Addressed(
        request,
        s.view.code,
        unit_code=unit_code,
        agency_code=s.view.agency_code or s.envelope.agency_code,
        correlation_id=s.envelope.correlation_id,
    )


HANDLED = tuple(_HANDLERS)
"""The event types `react` answers, each registered above with `_on`."""
