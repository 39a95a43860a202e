"""Each outcome is published as its contract event with every field of that event given:
the outcome's fields of the same names, and the ones named otherwise or taken from the
dossier (revision, procedure, reception)."""

from __future__ import annotations

import pytest
from tracking_scenario import FIVE_STEPS, RULES, at

from motcua.events import (
    ApologyIssued,
    ApologyRequired,
    DeadlineChanged,
    DeadlineSet,
    DossierDueSoon,
    DossierEscalated,
    DossierOverdue,
    DossierVerdictGiven,
    Event,
    StepDeadline,
    StepVerdictGiven,
)
from motcua.vocabulary import ApologyStanding
from motcua_tracking.domain import (
    ApologyOwed,
    DeadlineFixed,
    DossierJudged,
    DossierStatus,
    DueMoved,
    DueSoonReached,
    Escalated,
    Outcome,
    OverdueReached,
    Reappointed,
    StepDue,
    StepJudged,
    SupplementPolicy,
    TrackedDossier,
    Verdict,
    WorkingCalendar,
)
from motcua_tracking.service.publishing import event_for

STEP = StepDue("TN", "one_stop", at(3, 2, 9), at(3, 2, 14, 30))

CASES: list[tuple[Outcome, Event]] = [
    (
        DeadlineFixed(at(3, 2, 9), at(3, 9, 9), at(3, 2, 9), (STEP,), "MC"),
        DeadlineSet(
            appointment_at=at(3, 9, 9),
            counting_from=at(3, 2, 9),
            steps=(StepDeadline(code="TN", unit_role="one_stop", due_at=at(3, 2, 14, 30)),),
            unit_code="MC",
            procedure_code="P-5",
            procedure_name="Cấp phép",
        ),
    ),
    (
        DueMoved(at(3, 3, 9), "step", "XL", at(3, 6, 9), None, "supplement_paused", True),
        DeadlineChanged(
            scope="step",
            step_code="XL",
            old_due_at=at(3, 6, 9),
            new_due_at=None,
            cause="supplement_paused",
            corrected=True,
            revision=2,
        ),
    ),
    (
        StepJudged(
            at(3, 2, 11), "TN", "MC", at(3, 2, 9), at(3, 2, 11), at(3, 2, 14, 30), Verdict.EARLY
        ),
        StepVerdictGiven(
            step_code="TN",
            unit_code="MC",
            started_at=at(3, 2, 9),
            finished_at=at(3, 2, 11),
            due_at=at(3, 2, 14, 30),
            verdict=Verdict.EARLY,
        ),
    ),
    (
        DossierJudged(
            at(3, 12, 9),
            Verdict.LATE,
            "processing_finished",
            at(3, 12, 9),
            at(3, 9, 9),
            7.5,
            "PCM",
            ApologyStanding.LATE,
            at(3, 13, 17),
            True,
        ),
        DossierVerdictGiven(
            verdict=Verdict.LATE,
            ended_by="processing_finished",
            finished_at=at(3, 12, 9),
            due_at=at(3, 9, 9),
            processing_working_days=7.5,
            responsible_unit="PCM",
            apology=ApologyStanding.LATE,
            new_appointment_at=at(3, 13, 17),
            reappointed_to=at(3, 13, 17),
            reappointment_kept=True,
            revision=2,
        ),
    ),
    (
        DueSoonReached(at(3, 6, 7, 30), "dossier", None, "PCM", at(3, 9, 9)),
        DossierDueSoon(scope="dossier", step_code=None, unit_code="PCM", due_at=at(3, 9, 9)),
    ),
    (
        OverdueReached(at(3, 2, 14, 30), "step", "TN", "MC", at(3, 2, 14, 30)),
        DossierOverdue(scope="step", step_code="TN", unit_code="MC", due_at=at(3, 2, 14, 30)),
    ),
    (
        ApologyOwed(at(3, 6, 7, 30), "PCM", at(3, 9, 9)),
        ApologyRequired(unit_code="PCM", due_at=at(3, 9, 9)),
    ),
    (
        Reappointed(at(3, 6, 8), "PCM", "site visit", at(3, 9, 9), at(3, 13, 17), False, "LD"),
        ApologyIssued(
            unit_code="PCM",
            reason="site visit",
            original_due_at=at(3, 9, 9),
            new_appointment_at=at(3, 13, 17),
            filed_at=at(3, 6, 8),
            late=False,
            procedure_name="Cấp phép",
            received_at=at(3, 2, 9),
            signed_by="LD",
        ),
    ),
    (
        Escalated(at(3, 9, 9), "PCM", at(3, 9, 9), "no_apology_by_appointment"),
        DossierEscalated(unit_code="PCM", due_at=at(3, 9, 9), reason="no_apology_by_appointment"),
    ),
]


def received(calendar: WorkingCalendar) -> TrackedDossier:
    """A dossier received on Monday 2 March 2026 at 09:00 (due Monday 9 March, 09:00)."""
    dossier, _ = TrackedDossier.receive(
        code="STP-260302-0001",
        agency_code="STP",
        unit_code="MC",
        procedure_name="Cấp phép",
        terms=FIVE_STEPS,
        policy=SupplementPolicy.PAUSE,
        received_at=at(3, 2, 9),
        calendar=calendar,
        rules=RULES,
    )
    return dossier


@pytest.mark.parametrize(("outcome", "expected"), CASES, ids=lambda item: type(item).__name__)
def test_an_outcome_is_published_with_every_field_of_its_event(
    calendar: WorkingCalendar, outcome: Outcome, expected: Event
) -> None:
    dossier = received(calendar)
    dossier.revision = 2
    published = event_for(dossier, outcome)
    assert published == expected
    assert published.model_fields_set == set(type(published).model_fields)


def _alerts(dossier: TrackedDossier, outcomes: list[Outcome]) -> list[tuple[str, str, object]]:
    """(event type, scope, ended_at) of each due-soon or overdue alert, as published."""
    published = [event_for(dossier, o) for o in outcomes]
    return [
        (e.event_type, e.scope, e.ended_at)
        for e in published
        if isinstance(e, DossierDueSoon | DossierOverdue)
    ]


def test_an_alert_reached_on_the_way_to_the_event_that_ended_its_step_says_when(
    calendar: WorkingCalendar,
) -> None:
    dossier = received(calendar)
    # The reception step fell due on 2 March at 14:30; its handover arrives the next day,
    # so the step's alerts fire on the handover's way, and the handover ends that step.
    handed = dossier.transfer(
        at=at(3, 3, 10),
        now=at(3, 3, 10),
        from_unit="MC",
        to_unit="PCM",
        step_code=None,
        note=None,
        calendar=calendar,
        rules=RULES,
    )
    assert _alerts(dossier, handed) == [
        ("tracking.due-soon", "step", at(3, 3, 10)),
        ("tracking.overdue", "step", at(3, 3, 10)),
    ]
    # The next step's and the dossier's warnings fire at their time, on open work.
    warned = dossier.advance(at(3, 6, 12), now=at(3, 6, 12))
    assert _alerts(dossier, warned)
    assert {ended for _, _, ended in _alerts(dossier, warned)} == {None}
    # The dossier's overdue alert fires on the way to the finish, which ends the dossier.
    finished = dossier.finish(
        at=at(3, 12, 9),
        now=at(3, 12, 9),
        ended_by="processing_finished",
        status=DossierStatus.PROCESSING_FINISHED,
        unit_code="PCM",
        calendar=calendar,
        rules=RULES,
    )
    assert ("tracking.overdue", "dossier", at(3, 12, 9)) in _alerts(dossier, finished)
    assert {ended for _, _, ended in _alerts(dossier, finished)} == {at(3, 12, 9)}
