"""Outcomes of the domain as contract events, in envelopes keyed by dossier code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from motcua.events import (
    AlertWithdrawn,
    ApologyIssued,
    ApologyRequired,
    DeadlineChanged,
    DeadlineSet,
    DossierDueSoon,
    DossierEscalated,
    DossierOverdue,
    DossierVerdictGiven,
    Envelope,
    Event,
    EventRejected,
    StepVerdictGiven,
)
from motcua_tracking.adapters.metrics import ALERTS_FIRED, ALERTS_WITHDRAWN
from motcua_tracking.domain import (
    TIMED,
    AlertRetracted,
    ApologyOwed,
    DeadlineFixed,
    DossierJudged,
    DueMoved,
    DueSoonReached,
    Escalated,
    Outcome,
    OverdueReached,
    Reappointed,
    SentAlert,
    StepJudged,
    TrackedDossier,
)

__all__ = ["PRODUCER", "envelopes_for", "event_for", "rejection_envelope"]

PRODUCER = "tracking"

_O = TypeVar("_O")


def _nothing_more(dossier: TrackedDossier, outcome: object) -> Mapping[str, object]:
    return {}


@dataclass(frozen=True)
class _Published(Generic[_O]):
    """How one kind of outcome is published: as `event`, carrying the outcome's fields of
    the same names (nested values too: a `StepDue` becomes a `StepDeadline`), and `more`,
    the fields named otherwise or taken from the dossier."""

    outcome: type[_O]
    event: type[Event]
    more: Callable[[TrackedDossier, _O], Mapping[str, object]] = _nothing_more

    def __call__(self, dossier: TrackedDossier, outcome: _O) -> Event:
        fields = self.event.model_fields
        carried = {name: getattr(outcome, name) for name in fields if hasattr(outcome, name)}
        given = {**carried, **self.more(dossier, outcome)}
        return self.event.model_validate(given, from_attributes=True)


def _ended(dossier: TrackedDossier, o: DueSoonReached | OverdueReached) -> Mapping[str, object]:
    """An alert reached on the way to the event that ended what it warns of says so."""
    return {"ended_at": dossier.ended_at(o)}


# Every outcome but a retracted alert, with the event that reports it.
_PUBLISHED = (
    _Published(
        DeadlineFixed,
        DeadlineSet,
        lambda dossier, o: {
            "procedure_code": dossier.terms.code,
            "procedure_name": dossier.procedure_name,
        },
    ),
    _Published(
        DueMoved,
        DeadlineChanged,
        lambda dossier, o: {
            "old_due_at": o.old_due,
            "new_due_at": o.new_due,
            "revision": dossier.revision,
        },
    ),
    _Published(StepJudged, StepVerdictGiven),
    _Published(
        DossierJudged,
        DossierVerdictGiven,
        lambda dossier, o: {
            "processing_working_days": o.working_days,
            "new_appointment_at": o.reappointed_to,
            "revision": dossier.revision,
        },
    ),
    _Published(DueSoonReached, DossierDueSoon, _ended),
    _Published(OverdueReached, DossierOverdue, _ended),
    _Published(ApologyOwed, ApologyRequired),
    _Published(
        Reappointed,
        ApologyIssued,
        lambda dossier, o: {
            "original_due_at": o.original_due,
            "new_appointment_at": o.new_due,
            "filed_at": o.at,
            "procedure_name": dossier.procedure_name,
            "received_at": dossier.clock.received_at,
        },
    ),
    _Published(Escalated, DossierEscalated),
)
_EVENTS: dict[type[Any], _Published[Any]] = {item.outcome: item for item in _PUBLISHED}


def _withdrawn(o: AlertRetracted, proof: Envelope | None) -> Event:
    alert = o.alert
    return AlertWithdrawn(
        alert_event_id=alert.event_id,
        alert_type=alert.alert_type,
        scope=o.scope,
        step_code=alert.step_code,
        unit_code=alert.unit_code,
        due_at=o.due_at,
        reason=o.reason,
        proven_by_event_id=str(proof.event_id) if proof else None,
    )


def event_for(dossier: TrackedDossier, outcome: Outcome, cause: Envelope | None = None) -> Event:
    """The contract event reporting an outcome (`cause`: the event that led to it)."""
    if isinstance(outcome, AlertRetracted):
        return _withdrawn(outcome, cause)
    return _EVENTS[type(outcome)](dossier, outcome)


def envelopes_for(
    dossier: TrackedDossier,
    outcomes: Iterable[Outcome],
    *,
    now: datetime,
    cause: Envelope | None = None,
) -> list[Envelope]:
    """Envelopes for the outcomes.

    What an incoming event did is caused by it; what a timer did (even one fired on the
    way to an event) is correlated with the dossier's reception only, so replaying the
    same events gives the same envelopes but for ids and recording times, and an alert's
    `ended_at`, which says what tracking knew when the alert fired (a replay has every
    event at hand, so alerts fired live on open work fire on the way to their step's end).
    Each alert's event id is kept with its timer, so it can be withdrawn.
    """
    own = UUID(dossier.correlation) if dossier.correlation else None
    envelopes = []
    for outcome in outcomes:
        timed = isinstance(outcome, TIMED)
        envelope = Envelope.wrap(
            event_for(dossier, outcome, cause),
            producer=PRODUCER,
            occurred_at=outcome.at,
            now=now,
            dossier_code=dossier.code,
            agency_code=dossier.agency_code,
            caused_by=None if timed else cause,
            correlation_id=own if timed or cause is None else None,
        )
        envelopes.append(envelope)
        if isinstance(outcome, TIMED):
            _keep_alert(dossier, outcome, envelope)
        elif isinstance(outcome, AlertRetracted):
            ALERTS_WITHDRAWN.labels(_kind(outcome.alert.alert_type), outcome.scope).inc()
    return envelopes


def _keep_alert(
    dossier: TrackedDossier,
    outcome: DueSoonReached | OverdueReached | ApologyOwed | Escalated,
    envelope: Envelope,
) -> None:
    scope = outcome.scope if isinstance(outcome, DueSoonReached | OverdueReached) else "dossier"
    step = outcome.step_code if isinstance(outcome, DueSoonReached | OverdueReached) else None
    ALERTS_FIRED.labels(_kind(envelope.event_type), scope).inc()
    for timer in dossier.timers:
        if timer.key == outcome.timer and not timer.cancelled:
            sent = SentAlert(envelope.event_type, str(envelope.event_id), outcome.unit_code, step)
            timer.sent.append(sent)
            timer.changed = True


def _kind(alert_type: str) -> str:
    return alert_type.removeprefix("tracking.")


def rejection_envelope(cause: Envelope, code: str, detail: str, now: datetime) -> Envelope:
    """EventRejected for an incoming event refused by a business rule."""
    return Envelope.wrap(
        EventRejected(
            rejected_event_id=str(cause.event_id),
            rejected_event_type=cause.event_type,
            code=code,
            detail=detail,
        ),
        producer=PRODUCER,
        occurred_at=now,
        now=now,
        dossier_code=cause.dossier_code,
        agency_code=cause.agency_code,
        caused_by=cause,
    )
