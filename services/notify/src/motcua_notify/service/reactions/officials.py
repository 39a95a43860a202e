"""Reactions that write to officials: tracking's alerts to the unit holding a dossier.

Officials are written to through the units directory, erased or not: an alert goes to
the unit it names (an escalation to the head of the agency's one-stop office) on the
channels the directory gives it, and to no one's personal contacts. An alert whose step
(or dossier) had already ended when tracking learnt it was due (`ended_at`: a late
upload, a history import) goes to no one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, TypedDict

from motcua.events import (
    AlertWithdrawn,
    ApologyRequired,
    DossierDueSoon,
    DossierEscalated,
    DossierOverdue,
)
from motcua_notify.domain import contexts as ctx
from motcua_notify.domain.directory import UnitContact
from motcua_notify.domain.dossiers import FactKind
from motcua_notify.domain.lateness import overdue_working_days
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.planning import MessageRequest
from motcua_notify.domain.rendering import required_channels
from motcua_notify.domain.wording import (
    ONE_STOP_OFFICE,
    UNKNOWN,
    WHOLE_DOSSIER,
    escalation_reason,
)
from motcua_notify.service.reactions.scene import Outcome, Scene, on
from motcua_notify.service.recording import Addressed

__all__ = ["already_ended"]


class _StepAlert(TypedDict):
    """The fields an alert on a step (or on the whole dossier) holds."""

    official_name: str
    unit_name: str
    dossier_code: str
    procedure_name: str
    step_name: str
    due_at: datetime
    dossier_url: str


def _step_alert(
    s: Scene, data: DossierDueSoon | DossierOverdue, unit: UnitContact | None
) -> _StepAlert:
    return _StepAlert(
        official_name=unit.addressee if unit else s.unit_name(data.unit_code),
        unit_name=s.unit_name(data.unit_code),
        dossier_code=s.view.code,
        procedure_name=s.procedure,
        step_name=s.view.step_name(data.step_code, WHOLE_DOSSIER),
        due_at=data.due_at,
        dossier_url=s.dossier_url,
    )


def _held(data: DossierDueSoon | DossierOverdue) -> Mapping[FactKind, Mapping[str, Any]]:
    """What an alert says of the dossier: the unit it names holds it, due at its due time."""
    return {
        FactKind.HOLDER: {"holding_unit": data.unit_code},
        FactKind.DUE: {"due_at": data.due_at},
    }


def already_ended(data: object) -> bool:
    """Whether `data` is an alert whose step (or dossier) had ended before tracking learnt
    the alert was due: it is recorded and counted, and no official is asked to act on it."""
    return isinstance(data, DossierDueSoon | DossierOverdue) and data.ended_at is not None


@on(DossierDueSoon)
def _on_due_soon(s: Scene, data: DossierDueSoon) -> Outcome:
    view = s.view.updated(s.at, _held(data))
    if already_ended(data):
        return view, []
    unit = s.directory.unit(data.unit_code)
    context = ctx.DueSoonContext(**_step_alert(s, data, unit))
    return view, [_to_unit(s, data.unit_code, unit, MessageType.DUE_SOON, context)]


@on(DossierOverdue)
def _on_overdue(s: Scene, data: DossierOverdue) -> Outcome:
    overdue = {"overdue": True, "overdue_alert_id": str(s.envelope.event_id)}
    view = s.view.updated(s.at, {**_held(data), FactKind.OVERDUE: overdue})
    if already_ended(data):
        return view, []
    unit = s.directory.unit(data.unit_code)
    context = ctx.OverdueContext(
        **_step_alert(s, data, unit),
        overdue_working_days=overdue_working_days(data.due_at, s.at),
    )
    return view, [_to_unit(s, data.unit_code, unit, MessageType.OVERDUE, context)]


@on(ApologyRequired)
def _on_apology_required(s: Scene, data: ApologyRequired) -> Outcome:
    unit = s.directory.unit(data.unit_code)
    context = ctx.ApologyRequiredContext(
        unit_name=s.unit_name(data.unit_code),
        dossier_code=s.view.code,
        procedure_name=s.procedure,
        applicant_name=s.view.citizen.name if s.view.citizen else UNKNOWN,
        appointment_at=s.view.appointment_at or data.due_at,
        apology_due_at=data.due_at,
        dossier_url=s.dossier_url,
    )
    return s.view, [_to_unit(s, data.unit_code, unit, MessageType.APOLOGY_REQUIRED, context)]


@on(DossierEscalated)
def _on_escalated(s: Scene, data: DossierEscalated) -> Outcome:
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
        dossier_url=s.dossier_url,
    )
    code = office.code if office else None
    return s.view, [_to_unit(s, code, office, MessageType.ESCALATION, context)]


@on(AlertWithdrawn)
def _on_alert_withdrawn(s: Scene, data: AlertWithdrawn) -> Outcome:
    """An overdue alert withdrawn: the dossier is not overdue on its account (nor at its due).

    The correction to whoever the alert reached is written after the batch is applied
    (service.withdrawals)."""
    if data.alert_type != "tracking.overdue":
        return s.view, []
    view = replace(s.view, cleared_due_at=data.due_at)
    if s.view.overdue_alert_id == data.alert_event_id:
        view = replace(view, overdue=False, overdue_alert_id=None)
    return view, []


def _to_unit(
    s: Scene,
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
    return s.addressed(request, unit_code)
