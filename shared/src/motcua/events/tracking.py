"""What tracking publishes (topic `tracking.deadline-events.v1`, keyed by dossier code)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from motcua.events.envelope import Event
from motcua.events.topics import TRACKING_EVENTS, TopicSpec
from motcua.events.values import ApologyStanding, StepDeadline, Verdict

__all__ = [
    "AlertWithdrawn",
    "ApologyIssued",
    "ApologyRequired",
    "DeadlineChanged",
    "DeadlineSet",
    "DossierDueSoon",
    "DossierEscalated",
    "DossierOverdue",
    "DossierVerdictGiven",
    "EventRejected",
    "StepVerdictGiven",
    "TrackingEvent",
]

DeadlineScope = Literal["dossier", "step"]
AlertType = Literal[
    "tracking.due-soon", "tracking.overdue", "tracking.apology-required", "tracking.escalated"
]


class TrackingEvent(Event):
    """An event about a dossier's deadlines."""

    topic: ClassVar[TopicSpec] = TRACKING_EVENTS


class DeadlineSet(TrackingEvent):
    """The appointment printed on the receipt and the steps' due times."""

    event_type: ClassVar[str] = "tracking.deadline-set"

    appointment_at: AwareDatetime
    counting_from: AwareDatetime
    steps: tuple[StepDeadline, ...] = ()
    unit_code: str
    procedure_code: str
    procedure_name: str


class DeadlineChanged(TrackingEvent):
    """A due time moved, with the cause and both times (an audit record)."""

    event_type: ClassVar[str] = "tracking.deadline-changed"

    scope: DeadlineScope = "dossier"
    step_code: str | None = None
    old_due_at: AwareDatetime | None
    new_due_at: AwareDatetime | None
    cause: Literal[
        "supplement_paused",
        "supplement_resumed",
        "supplement_restarted",
        "transfer",
        "apology",
        "calendar_changed",
    ]
    corrected: bool = False
    """True when a late-arriving earlier event moved the due time after the fact."""
    revision: int = Field(default=0, ge=0)
    """The dossier's revision: it grows each time tracking recomputes the dossier from
    its stored events, so the highest revision's figures stand."""


class StepVerdictGiven(TrackingEvent):
    """A step was handed over: its own early / on time / late verdict."""

    event_type: ClassVar[str] = "tracking.step-verdict-given"

    step_code: str | None
    unit_code: str
    started_at: AwareDatetime
    finished_at: AwareDatetime
    due_at: AwareDatetime
    verdict: Verdict


class DossierVerdictGiven(TrackingEvent):
    """The dossier's clock stopped: its verdict and who made it late.

    `due_at` is the statutory appointment with supplement pauses applied; an apology's
    new appointment never changes the verdict (brief, decision 5).
    """

    event_type: ClassVar[str] = "tracking.dossier-verdict-given"

    verdict: Verdict
    ended_by: Literal["processing_finished", "refused", "withdrawn"]
    finished_at: AwareDatetime
    due_at: AwareDatetime
    processing_working_days: float = Field(ge=0)
    responsible_unit: str | None = None
    apology: ApologyStanding = ApologyStanding.NOT_NEEDED
    """The apology the verdict found: in time, late, missing (late without one)."""
    new_appointment_at: AwareDatetime | None = None
    """The new appointment an accepted apology promised, if any (the name of the
    apology's own field)."""
    reappointed_to: AwareDatetime | None = None
    """Deprecated: the former name of `new_appointment_at`, still sent with the same
    value; read `new_appointment_at`."""
    reappointment_kept: bool | None = None
    """Whether the dossier ended by the new appointment (None: never re-appointed)."""
    revision: int = Field(default=0, ge=0)
    """0 for the first verdict; a correction carries a higher revision and stands."""


class DossierDueSoon(TrackingEvent):
    """The last working day before the due time has begun."""

    event_type: ClassVar[str] = "tracking.due-soon"

    scope: DeadlineScope = "dossier"
    step_code: str | None = None
    unit_code: str
    due_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    """Set when the step (or dossier) had already ended, at this time, when tracking
    learnt of the events that made the alert due (a late upload, a history import): the
    alert stands in the record, and no one is asked to act on it."""


class DossierOverdue(TrackingEvent):
    """The due time passed and the dossier (or step) is not finished."""

    event_type: ClassVar[str] = "tracking.overdue"

    scope: DeadlineScope = "dossier"
    step_code: str | None = None
    unit_code: str
    due_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    """As for `DossierDueSoon.ended_at`: the step (or dossier) had already ended, late."""


class ApologyRequired(TrackingEvent):
    """The unit holding a due-soon dossier owes the citizen an apology (form 04)."""

    event_type: ClassVar[str] = "tracking.apology-required"

    unit_code: str
    due_at: AwareDatetime


class ApologyIssued(TrackingEvent):
    """An apology was accepted and the dossier re-appointed (once)."""

    event_type: ClassVar[str] = "tracking.apology-issued"

    unit_code: str
    reason: str
    original_due_at: AwareDatetime
    new_appointment_at: AwareDatetime
    filed_at: AwareDatetime
    late: bool = False
    procedure_name: str = ""
    received_at: AwareDatetime | None = None
    signed_by: str | None = None


class DossierEscalated(TrackingEvent):
    """No apology by the appointment: the head of the one-stop office is told."""

    event_type: ClassVar[str] = "tracking.escalated"

    unit_code: str
    due_at: AwareDatetime
    reason: Literal["no_apology_by_appointment", "overdue_after_reappointment"]


class EventRejected(TrackingEvent):
    """An incoming event could not be applied; state is unchanged."""

    event_type: ClassVar[str] = "tracking.event-rejected"

    rejected_event_id: str
    rejected_event_type: str
    code: str
    detail: str


class AlertWithdrawn(TrackingEvent):
    """An alert already published was proven wrong by an event that happened before it.

    Example: a step-overdue alert fired at 14:00 for a step whose handover happened at
    13:50 but reached the system at 14:10. Consumers drop the alert; whoever was told
    receives a short correction.
    """

    event_type: ClassVar[str] = "tracking.alert-withdrawn"

    alert_event_id: str
    """The event id of the withdrawn alert."""
    alert_type: AlertType
    scope: DeadlineScope = "dossier"
    step_code: str | None = None
    unit_code: str
    due_at: AwareDatetime
    reason: Literal["ended_before_due", "paused_before_due", "due_moved", "apology_filed"]
    """Why the alert was wrong at its instant: the dossier (or step) had ended, its clock
    was paused, its due time had moved, or (for an apology-required notice or an
    escalation for a missing apology) the apology had in fact been filed."""
    proven_by_event_id: str | None = None
    """The late-arriving event that proved the alert wrong."""
