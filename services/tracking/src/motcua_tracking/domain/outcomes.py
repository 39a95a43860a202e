"""What happened to a tracked dossier, as the service publishes it (one record per fact).

`at` is when it happened in the dossier's own time: the incoming event's occurred time,
or the instant a timer was due to fire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua.vocabulary import ApologyStanding, Verdict
from motcua_tracking.domain.deadlines import StepDue
from motcua_tracking.domain.timers import Scope, SentAlert, TimerKey

__all__ = [
    "TIMED",
    "AlertRetracted",
    "ApologyOwed",
    "DeadlineFixed",
    "DossierJudged",
    "DueMoved",
    "DueSoonReached",
    "Escalated",
    "Outcome",
    "OverdueReached",
    "Reappointed",
    "StepJudged",
    "alert_type",
]


@dataclass(frozen=True)
class DeadlineFixed:
    """The appointment and the step plan set at reception."""

    at: datetime
    appointment_at: datetime
    counting_from: datetime
    steps: tuple[StepDue, ...]
    unit_code: str


@dataclass(frozen=True)
class DueMoved:
    """A due time moved (None: no due time while a supplement is awaited)."""

    at: datetime
    scope: Scope
    step_code: str | None
    old_due: datetime | None
    new_due: datetime | None
    cause: str
    corrected: bool = False


@dataclass(frozen=True)
class StepJudged:
    """A step ended by a handover or by the end of the dossier, with its verdict."""

    at: datetime
    step_code: str | None
    unit_code: str
    started_at: datetime
    finished_at: datetime
    due_at: datetime
    verdict: Verdict


@dataclass(frozen=True)
class DossierJudged:
    """The dossier's clock stopped: its verdict against the statutory appointment (`due_at`),
    the unit that made it late, the apology it found and whether a re-appointment was kept."""

    at: datetime
    verdict: Verdict
    ended_by: str
    finished_at: datetime
    due_at: datetime
    working_days: float
    responsible_unit: str | None
    apology: ApologyStanding = ApologyStanding.NOT_NEEDED
    reappointed_to: datetime | None = None
    reappointment_kept: bool | None = None


@dataclass(frozen=True)
class _DueAlert:
    """An alert about a due time of the dossier or of its current step: whom it names
    and the timer that fired it."""

    at: datetime
    scope: Scope
    step_code: str | None
    unit_code: str
    due_at: datetime
    timer: TimerKey | None = None
    step_seq: int | None = None
    """The step it warns of (None: the whole dossier)."""


@dataclass(frozen=True)
class DueSoonReached(_DueAlert):
    """A warning instant was reached with the dossier (or step) unfinished."""


@dataclass(frozen=True)
class OverdueReached(_DueAlert):
    """A due time passed with the dossier (or step) unfinished."""


@dataclass(frozen=True)
class ApologyOwed:
    """The unit holding a due-soon dossier owes the citizen an apology."""

    at: datetime
    unit_code: str
    due_at: datetime
    timer: TimerKey | None = None


@dataclass(frozen=True)
class Reappointed:
    """An apology was accepted: the new appointment (flagged late after the old one)."""

    at: datetime
    unit_code: str
    reason: str
    original_due: datetime
    new_due: datetime
    late: bool
    signed_by: str | None = None


@dataclass(frozen=True)
class Escalated:
    """The head of the one-stop office is told: the statutory appointment passed without an
    apology, or a re-appointment passed with the dossier unfinished (a broken promise)."""

    at: datetime
    unit_code: str
    due_at: datetime
    reason: str
    timer: TimerKey | None = None


@dataclass(frozen=True)
class AlertRetracted:
    """A published alert that the dossier's history, rebuilt with a late-arriving event,
    no longer gives: the clock had ended or paused before its instant, or its due moved."""

    at: datetime
    alert: SentAlert
    scope: Scope
    due_at: datetime
    reason: str


Outcome = (
    DeadlineFixed
    | DueMoved
    | StepJudged
    | DossierJudged
    | DueSoonReached
    | OverdueReached
    | ApologyOwed
    | Reappointed
    | Escalated
    | AlertRetracted
)

TIMED = (DueSoonReached, OverdueReached, ApologyOwed, Escalated)
"""Outcomes of a timer firing: the alerts."""

_ALERT_TYPES: dict[type, str] = {
    DueSoonReached: "tracking.due-soon",
    OverdueReached: "tracking.overdue",
    ApologyOwed: "tracking.apology-required",
    Escalated: "tracking.escalated",
}


def alert_type(outcome: DueSoonReached | OverdueReached | ApologyOwed | Escalated) -> str:
    """The event type an alert is published as (what `SentAlert.alert_type` records)."""
    return _ALERT_TYPES[type(outcome)]
