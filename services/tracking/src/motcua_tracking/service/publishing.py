"""Outcomes of the domain as contract events, in envelopes keyed by dossier code."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
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
    StepDeadline,
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


def _deadline_set(dossier: TrackedDossier, o: DeadlineFixed) -> Event:
    return DeadlineSet(
        appointment_at=o.appointment_at,
        counting_from=o.counting_from,
        steps=tuple(
            StepDeadline(code=s.code, unit_role=s.unit_role, due_at=s.due_at) for s in o.steps
        ),
        unit_code=o.unit_code,
        procedure_code=dossier.terms.code,
        procedure_name=dossier.procedure_name,
    )


def _deadline_changed(dossier: TrackedDossier, o: DueMoved) -> Event:
    return DeadlineChanged(
        scope=o.scope,
        step_code=o.step_code,
        old_due_at=o.old_due,
        new_due_at=o.new_due,
        cause=o.cause,
        corrected=o.corrected,
        revision=dossier.revision,
    )


def _step_verdict(dossier: TrackedDossier, o: StepJudged) -> Event:
    return StepVerdictGiven(
        step_code=o.step_code,
        unit_code=o.unit_code,
        started_at=o.started_at,
        finished_at=o.finished_at,
        due_at=o.due_at,
        verdict=o.verdict,
    )


def _dossier_verdict(dossier: TrackedDossier, o: DossierJudged) -> Event:
    return DossierVerdictGiven(
        verdict=o.verdict,
        ended_by=o.ended_by,
        finished_at=o.finished_at,
        due_at=o.due_at,
        processing_working_days=o.working_days,
        responsible_unit=o.responsible_unit,
        apology=o.apology,
        new_appointment_at=o.reappointed_to,
        reappointed_to=o.reappointed_to,
        reappointment_kept=o.reappointment_kept,
        revision=dossier.revision,
    )


def _due_soon(dossier: TrackedDossier, o: DueSoonReached) -> Event:
    return DossierDueSoon(
        scope=o.scope, step_code=o.step_code, unit_code=o.unit_code, due_at=o.due_at
    )


def _overdue(dossier: TrackedDossier, o: OverdueReached) -> Event:
    return DossierOverdue(
        scope=o.scope, step_code=o.step_code, unit_code=o.unit_code, due_at=o.due_at
    )


def _apology_required(dossier: TrackedDossier, o: ApologyOwed) -> Event:
    return ApologyRequired(unit_code=o.unit_code, due_at=o.due_at)


def _apology_issued(dossier: TrackedDossier, o: Reappointed) -> Event:
    return ApologyIssued(
        unit_code=o.unit_code,
        reason=o.reason,
        original_due_at=o.original_due,
        new_appointment_at=o.new_due,
        filed_at=o.at,
        late=o.late,
        procedure_name=dossier.procedure_name,
        received_at=dossier.clock.received_at,
        signed_by=o.signed_by,
    )


def _escalated(dossier: TrackedDossier, o: Escalated) -> Event:
    return DossierEscalated(unit_code=o.unit_code, due_at=o.due_at, reason=o.reason)


_EVENTS: dict[type[Any], Callable[[TrackedDossier, Any], Event]] = {
    DeadlineFixed: _deadline_set,
    DueMoved: _deadline_changed,
    StepJudged: _step_verdict,
    DossierJudged: _dossier_verdict,
    DueSoonReached: _due_soon,
    OverdueReached: _overdue,
    ApologyOwed: _apology_required,
    Reappointed: _apology_issued,
    Escalated: _escalated,
}


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
    same events gives the same envelopes but for ids and recording times. Each alert's
    event id is kept with its timer, so it can be withdrawn.
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
