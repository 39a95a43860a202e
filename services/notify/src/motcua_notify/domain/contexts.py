"""The typed data each message type is rendered from, one frozen dataclass per type.

Field names are the template placeholders: the template registry checks at start-up
that every template uses only the fields of its message type's context.
Datetimes are aware; templates show them with the `vn_time` filter.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime

from motcua_notify.domain.messages import MessageType

__all__ = [
    "CONTEXT_TYPES",
    "AlertWithdrawnContext",
    "ApologyContext",
    "ApologyRequiredContext",
    "DailyDigestContext",
    "DigestEntry",
    "DueSoonContext",
    "EscalationContext",
    "MessageContext",
    "OverdueContext",
    "ReceiptContext",
    "RefusalContext",
    "ResultReadyContext",
    "StopNoticeContext",
    "SupplementRequestContext",
    "as_variables",
    "field_names",
]


@dataclass(frozen=True)
class ReceiptContext:
    """Form 01: receipt of the dossier and appointment for the result."""

    applicant_name: str
    dossier_code: str
    procedure_name: str
    receiving_unit: str
    received_at: datetime
    appointment_at: datetime
    collection_place: str
    lookup_url: str


@dataclass(frozen=True)
class SupplementRequestContext:
    """Form 02: what is missing from the dossier, and whom to ask."""

    applicant_name: str
    dossier_code: str
    procedure_name: str
    unit_name: str
    missing_items: tuple[str, ...]
    reason: str
    contact_person: str
    contact_phone: str
    requested_at: datetime


@dataclass(frozen=True)
class RefusalContext:
    """Form 03: refusal to receive or settle the dossier, with reasons."""

    applicant_name: str
    dossier_code: str
    procedure_name: str
    unit_name: str
    reasons: tuple[str, ...]
    refused_at: datetime


@dataclass(frozen=True)
class ApologyContext:
    """Form 04: apology for lateness and the new appointment."""

    applicant_name: str
    dossier_code: str
    procedure_name: str
    unit_name: str
    received_at: datetime
    original_due_at: datetime
    reason: str
    apology_text: str
    new_appointment_at: datetime
    signed_by: str


@dataclass(frozen=True)
class StopNoticeContext:
    """Notice that processing stopped, e.g. on the citizen's withdrawal request."""

    applicant_name: str
    dossier_code: str
    procedure_name: str
    unit_name: str
    stopped_at: datetime
    reason: str


@dataclass(frozen=True)
class ResultReadyContext:
    """The result can be collected (told in advance when it is early)."""

    applicant_name: str
    dossier_code: str
    procedure_name: str
    ready_at: datetime
    appointment_at: datetime
    collection_place: str
    lookup_url: str


@dataclass(frozen=True)
class DueSoonContext:
    """Warning to the official holding a step that its time is nearly up."""

    official_name: str
    unit_name: str
    dossier_code: str
    procedure_name: str
    step_name: str
    due_at: datetime
    dossier_url: str


@dataclass(frozen=True)
class OverdueContext:
    """Warning to the official holding a step that its time has run out."""

    official_name: str
    unit_name: str
    dossier_code: str
    procedure_name: str
    step_name: str
    due_at: datetime
    overdue_working_days: int
    dossier_url: str


@dataclass(frozen=True)
class ApologyRequiredContext:
    """To the unit holding a dossier that will be late: issue form 04."""

    unit_name: str
    dossier_code: str
    procedure_name: str
    applicant_name: str
    appointment_at: datetime
    apology_due_at: datetime
    dossier_url: str


@dataclass(frozen=True)
class EscalationContext:
    """To the head of the one-stop office: a unit or consultee is late."""

    head_name: str
    office_name: str
    dossier_code: str
    procedure_name: str
    late_unit_name: str
    step_name: str
    due_at: datetime
    reason: str
    dossier_url: str


@dataclass(frozen=True)
class DigestEntry:
    """One open dossier in a unit's daily digest."""

    dossier_code: str
    procedure_name: str
    step_name: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class DailyDigestContext:
    """A unit's open dossiers of the day, overdue ones flagged."""

    unit_name: str
    digest_date: date
    dossiers: tuple[DigestEntry, ...]
    dashboard_url: str


@dataclass(frozen=True)
class AlertWithdrawnContext:
    """Correction of an alert proven wrong by an event that happened before it."""

    official_name: str
    unit_name: str
    dossier_code: str
    procedure_name: str
    step_name: str
    alert_name: str
    alert_kind: str
    alerted_at: datetime
    due_at: datetime
    reason: str
    dossier_url: str


MessageContext = (
    ReceiptContext
    | SupplementRequestContext
    | RefusalContext
    | ApologyContext
    | StopNoticeContext
    | ResultReadyContext
    | DueSoonContext
    | OverdueContext
    | ApologyRequiredContext
    | EscalationContext
    | DailyDigestContext
    | AlertWithdrawnContext
)

CONTEXT_TYPES: dict[MessageType, type[MessageContext]] = {
    MessageType.RECEIPT: ReceiptContext,
    MessageType.SUPPLEMENT_REQUEST: SupplementRequestContext,
    MessageType.REFUSAL: RefusalContext,
    MessageType.APOLOGY: ApologyContext,
    MessageType.STOP_NOTICE: StopNoticeContext,
    MessageType.RESULT_READY: ResultReadyContext,
    MessageType.DUE_SOON: DueSoonContext,
    MessageType.OVERDUE: OverdueContext,
    MessageType.APOLOGY_REQUIRED: ApologyRequiredContext,
    MessageType.ESCALATION: EscalationContext,
    MessageType.DAILY_DIGEST: DailyDigestContext,
    MessageType.ALERT_WITHDRAWN: AlertWithdrawnContext,
}


def field_names(context_type: type[MessageContext]) -> frozenset[str]:
    """Return the placeholder names a context type provides."""
    return frozenset(item.name for item in fields(context_type))


def as_variables(context: MessageContext) -> dict[str, object]:
    """Return a context's fields as template variables (shallow: nested values kept)."""
    return {item.name: getattr(context, item.name) for item in fields(context)}
