"""Verdicts against the statutory appointment: an apology is a separate promise (decision 5)."""

from datetime import datetime

import pytest
from tracking_scenario import at

from motcua.vocabulary import ApologyStanding
from motcua_tracking.domain import (
    DossierJudged,
    DossierStatus,
    Escalated,
    Granularity,
    OverdueReached,
    ProcedureTerms,
    ProcessingTime,
    Rules,
    SupplementPolicy,
    TrackedDossier,
    Verdict,
    WorkingCalendar,
)

DAY = Rules()
EXACT = Rules(Granularity.EXACT)
FIVE_DAYS = ProcedureTerms("P-5", ProcessingTime.working_days(5))


MONDAY_9 = at(3, 2, 9)


def received(
    calendar: WorkingCalendar, when: datetime = MONDAY_9, rules: Rules = DAY
) -> TrackedDossier:
    dossier, _ = TrackedDossier.receive(
        code="STP-260302-0009",
        agency_code="STP",
        unit_code="MC",
        procedure_name="Cấp phép",
        terms=FIVE_DAYS,
        policy=SupplementPolicy.PAUSE,
        received_at=when,
        calendar=calendar,
        rules=rules,
    )
    return dossier


def apologise(
    dossier: TrackedDossier,
    calendar: WorkingCalendar,
    when: datetime,
    new_due: datetime,
    rules: Rules = DAY,
) -> None:
    dossier.file_apology(
        at=when,
        now=when,
        unit_code="MC",
        reason="site visit",
        new_due=new_due,
        calendar=calendar,
        rules=rules,
    )


def finish(
    dossier: TrackedDossier, calendar: WorkingCalendar, when: datetime, rules: Rules = DAY
) -> DossierJudged:
    outcomes = dossier.finish(
        at=when,
        now=when,
        ended_by="processing_finished",
        status=DossierStatus.PROCESSING_FINISHED,
        unit_code="MC",
        calendar=calendar,
        rules=rules,
    )
    [judged] = [o for o in outcomes if isinstance(o, DossierJudged)]
    return judged


def test_due_friday_10_09_apologised_in_time_finished_at_14_36_is_late_and_the_promise_kept(
    calendar: WorkingCalendar,
) -> None:
    # Received Friday 6 March 10:09: due Friday 13 March 10:09.
    dossier = received(calendar, at(3, 6, 10, 9), EXACT)
    assert dossier.due(calendar) == at(3, 13, 10, 9)
    apologise(dossier, calendar, at(3, 12, 8), at(3, 13, 17), EXACT)
    judged = finish(dossier, calendar, at(3, 13, 14, 36), EXACT)
    assert judged.verdict is Verdict.LATE
    assert judged.due_at == at(3, 13, 10, 9)  # the statutory appointment, not the promise
    assert judged.apology is ApologyStanding.IN_TIME
    assert (judged.reappointed_to, judged.reappointment_kept) == (at(3, 13, 17), True)
    assert judged.responsible_unit == "MC"


@pytest.mark.parametrize(
    ("apology_at", "finished", "verdict", "standing", "kept"),
    [
        pytest.param(at(3, 6, 8), at(3, 11, 10), "late", "in_time", True, id="in time, kept"),
        pytest.param(at(3, 6, 8), at(3, 16, 9), "late", "in_time", False, id="in time, broken"),
        pytest.param(at(3, 4, 8), at(3, 5, 9), "early", "in_time", True, id="in time, not late"),
        pytest.param(at(3, 10, 8), at(3, 12, 9), "late", "late", True, id="late apology"),
        pytest.param(None, at(3, 10, 9), "late", "missing", None, id="late, no apology"),
        pytest.param(None, at(3, 9, 16), "on_time", "not_needed", None, id="on time"),
    ],
)
def test_the_verdict_reports_the_apology_and_the_promise_apart(
    calendar: WorkingCalendar,
    apology_at: datetime | None,
    finished: datetime,
    verdict: str,
    standing: str,
    kept: bool | None,
) -> None:
    dossier = received(calendar)  # due Monday 9 March 09:00
    if apology_at is not None:
        apologise(dossier, calendar, apology_at, at(3, 13, 17))
    judged = finish(dossier, calendar, finished)
    assert (judged.verdict.value, judged.apology.value, judged.reappointment_kept) == (
        verdict,
        standing,
        kept,
    )
    assert judged.due_at == at(3, 9, 9)
    assert judged.reappointed_to == (at(3, 13, 17) if apology_at else None)
    assert dossier.verdict is judged.verdict


def test_an_apologised_dossier_is_overdue_at_the_statutory_appointment_and_escalated_at_the_promise(
    calendar: WorkingCalendar,
) -> None:
    dossier = received(calendar)
    apologise(dossier, calendar, at(3, 6, 8), at(3, 13, 17))
    statutory = dossier.advance(at(3, 9, 9), now=at(3, 9, 9))
    assert [(o.scope, o.due_at) for o in statutory if isinstance(o, OverdueReached)] == [
        ("dossier", at(3, 9, 9))
    ]
    assert [o for o in statutory if isinstance(o, Escalated)] == []  # it has an apology
    assert dossier.advance(at(3, 13, 16), now=at(3, 13, 16)) == []
    broken = dossier.advance(at(3, 13, 17), now=at(3, 13, 17))
    assert [(type(o), o.reason, o.due_at) for o in broken] == [
        (Escalated, "overdue_after_reappointment", at(3, 13, 17))
    ]


def test_a_late_apology_comes_after_the_escalation_for_the_missing_one(
    calendar: WorkingCalendar,
) -> None:
    dossier = received(calendar)
    missed = dossier.advance(at(3, 9, 9), now=at(3, 9, 9))
    assert [o.reason for o in missed if isinstance(o, Escalated)] == ["no_apology_by_appointment"]
    apologise(dossier, calendar, at(3, 10, 8), at(3, 13, 17))
    assert dossier.clock.reappointment is not None and dossier.clock.reappointment.issued_late
    broken = dossier.advance(at(3, 13, 17), now=at(3, 13, 17))
    assert [o.reason for o in broken if isinstance(o, Escalated)] == ["overdue_after_reappointment"]
    assert dossier.escalations == ["no_apology_by_appointment", "overdue_after_reappointment"]


def test_a_pause_moves_the_statutory_appointment_the_verdict_is_judged_on(
    calendar: WorkingCalendar,
) -> None:
    dossier = received(calendar)
    dossier.request_supplement(
        at=at(3, 3, 9), now=at(3, 3, 9), unit_code="MC", calendar=calendar, rules=DAY
    )
    dossier.receive_supplement(at=at(3, 4, 9), now=at(3, 4, 9), calendar=calendar, rules=DAY)
    apologise(dossier, calendar, at(3, 9, 8), at(3, 13, 17))
    judged = finish(dossier, calendar, at(3, 10, 9))
    assert (judged.due_at, judged.verdict, judged.apology) == (
        at(3, 10, 9),
        Verdict.ON_TIME,
        ApologyStanding.IN_TIME,
    )
