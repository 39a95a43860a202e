from datetime import datetime
from decimal import Decimal

import pytest
from tracking_scenario import FIVE_STEPS, RULES, at

from motcua_tracking.domain import (
    ApologyOwed,
    DeadlineFixed,
    DossierJudged,
    DossierStatus,
    DueMoved,
    DueSoonReached,
    Escalated,
    Granularity,
    Outcome,
    OverdueReached,
    ProcedureTerms,
    ProcessingTime,
    Reappointed,
    Rejection,
    Rules,
    StepJudged,
    SupplementPolicy,
    TimerKind,
    TrackedDossier,
    Verdict,
    WorkingCalendar,
)

# 5 working days: reception ½, specialist 3½, sign-off ½, result ½.
TERMS = FIVE_STEPS


def received(
    calendar: WorkingCalendar,
    policy: SupplementPolicy = SupplementPolicy.PAUSE,
    rules: Rules = RULES,
) -> tuple[TrackedDossier, list]:
    # Monday 2 March 2026, 09:00: due Monday 9 March 09:00.
    return TrackedDossier.receive(
        code="STP-260302-0001",
        agency_code="STP",
        unit_code="MC",
        procedure_name="Cấp phép",
        terms=TERMS,
        policy=policy,
        received_at=at(3, 2, 9),
        calendar=calendar,
        rules=rules,
    )


def pending(dossier: TrackedDossier) -> set[tuple[str, str, datetime]]:
    return {(t.scope, t.kind.value, t.fire_at) for t in dossier.timers if t.pending}


def hand_over(
    dossier: TrackedDossier,
    calendar: WorkingCalendar,
    when: datetime,
    giver: str = "MC",
    taker: str = "PCM",
) -> list[Outcome]:
    # Applied as it happens, to the next planned step.
    return dossier.transfer(
        at=when,
        now=when,
        from_unit=giver,
        to_unit=taker,
        step_code=None,
        note=None,
        calendar=calendar,
        rules=RULES,
    )


def apologise(
    dossier: TrackedDossier,
    calendar: WorkingCalendar,
    when: datetime,
    new_due: datetime,
    reason: str = "site visit",
) -> list[Outcome]:
    return dossier.file_apology(
        at=when,
        now=when,
        unit_code="MC",
        reason=reason,
        new_due=new_due,
        calendar=calendar,
        rules=RULES,
    )


def finish(
    dossier: TrackedDossier,
    calendar: WorkingCalendar,
    when: datetime,
    unit_code: str = "MC",
    rules: Rules = RULES,
) -> list[Outcome]:
    return dossier.finish(
        at=when,
        now=when,
        ended_by="processing_finished",
        status=DossierStatus.PROCESSING_FINISHED,
        unit_code=unit_code,
        calendar=calendar,
        rules=rules,
    )


def test_reception_sets_the_appointment_the_plan_and_the_alerts(calendar: WorkingCalendar) -> None:
    dossier, outcomes = received(calendar)
    [fixed] = outcomes
    assert isinstance(fixed, DeadlineFixed)
    assert fixed.appointment_at == at(3, 9, 9)
    assert [s.due_at for s in fixed.steps] == [
        at(3, 2, 14, 30),
        at(3, 6, 9),
        at(3, 6, 14, 30),
        at(3, 9, 9),
    ]
    assert dossier.status is DossierStatus.RECEIVED
    assert pending(dossier) == {
        ("dossier", "due_soon", at(3, 6, 7, 30)),
        ("dossier", "overdue", at(3, 9, 9)),
        # Half a day: the previous working day's opening precedes the start, so half-time.
        ("step", "due_soon", at(3, 2, 11)),
        ("step", "overdue", at(3, 2, 14, 30)),
    }


def test_a_handover_judges_the_step_and_plans_the_next(calendar: WorkingCalendar) -> None:
    dossier, _ = received(calendar)
    outcomes = hand_over(dossier, calendar, at(3, 2, 15))
    judged = [o for o in outcomes if isinstance(o, StepJudged)]
    assert [(j.step_code, j.unit_code, j.verdict) for j in judged] == [
        ("TN", "MC", Verdict.ON_TIME)
    ]
    # The step timers fired in the dossier's own time before the late handover.
    assert [type(o) for o in outcomes[:2]] == [DueSoonReached, OverdueReached]
    moved = [o for o in outcomes if isinstance(o, DueMoved)]
    assert [(m.step_code, m.old_due, m.new_due, m.cause) for m in moved] == [
        ("XL", at(3, 6, 9), at(3, 6, 9, 30), "transfer")
    ]
    assert dossier.current_step.code == "XL" and dossier.holder == "PCM"
    assert dossier.status is DossierStatus.PROCESSING
    assert dossier.due(calendar) == at(3, 9, 9)


def test_pause_moves_dossier_and_step_by_the_paused_office_time(
    calendar: WorkingCalendar,
) -> None:
    dossier, _ = received(calendar)
    hand_over(dossier, calendar, at(3, 2, 11))
    paused = dossier.request_supplement(
        at=at(3, 3, 9), now=at(3, 3, 9), unit_code="PCM", calendar=calendar, rules=RULES
    )
    assert [(o.scope, o.new_due, o.cause) for o in paused if isinstance(o, DueMoved)] == [
        ("dossier", None, "supplement_paused"),
        ("step", None, "supplement_paused"),
    ]
    assert dossier.status is DossierStatus.SUPPLEMENT_REQUESTED and not pending(dossier)
    resumed = dossier.receive_supplement(
        at=at(3, 4, 9), now=at(3, 4, 9), calendar=calendar, rules=RULES
    )
    [dossier_move, step_move] = [o for o in resumed if isinstance(o, DueMoved)]
    assert (dossier_move.old_due, dossier_move.new_due) == (at(3, 9, 9), at(3, 10, 9))
    assert step_move.new_due == at(3, 6, 16, 30)
    assert dossier.status is DossierStatus.PROCESSING


def test_restart_counts_the_whole_period_again(calendar: WorkingCalendar) -> None:
    dossier, _ = received(calendar, SupplementPolicy.RESTART)
    dossier.request_supplement(
        at=at(3, 3, 9), now=at(3, 3, 9), unit_code="MC", calendar=calendar, rules=RULES
    )
    outcomes = dossier.receive_supplement(
        at=at(3, 4, 10), now=at(3, 4, 10), calendar=calendar, rules=RULES
    )
    assert [
        (o.new_due, o.cause) for o in outcomes if isinstance(o, DueMoved) and o.scope == "dossier"
    ] == [(at(3, 11, 10), "supplement_restarted")]


def test_due_soon_asks_for_an_apology_and_overdue_escalates(calendar: WorkingCalendar) -> None:
    dossier, _ = received(calendar)
    hand_over(dossier, calendar, at(3, 2, 11))
    soon = dossier.advance(at(3, 6, 7, 30), now=at(3, 6, 7, 30))
    owed = [o for o in soon if isinstance(o, ApologyOwed)]
    assert [(o.unit_code, o.due_at) for o in owed] == [("PCM", at(3, 9, 9))]
    late = dossier.advance(at(3, 9, 9), now=at(3, 9, 9, 0))
    escalated = [o for o in late if isinstance(o, Escalated)]
    assert [(o.reason, o.unit_code) for o in escalated] == [("no_apology_by_appointment", "PCM")]
    assert dossier.advance(at(3, 20, 9), now=at(3, 20, 9)) == []


def test_an_apology_re_appoints_once(calendar: WorkingCalendar) -> None:
    dossier, _ = received(calendar)
    outcomes = apologise(dossier, calendar, at(3, 6, 8), at(3, 13, 17))
    [issued] = [o for o in outcomes if isinstance(o, Reappointed)]
    assert (issued.original_due, issued.new_due, issued.late) == (at(3, 9, 9), at(3, 13, 17), False)
    # The statutory appointment stays overdue-watched; the promise is watched on its own.
    assert ("dossier", "overdue", at(3, 9, 9)) in pending(dossier)
    assert ("dossier", "reappointment_overdue", at(3, 13, 17)) in pending(dossier)
    assert dossier.due(calendar) == at(3, 9, 9)
    assert dossier.promised_due(calendar) == at(3, 13, 17)
    with pytest.raises(Rejection) as second:
        apologise(dossier, calendar, at(3, 12, 8), at(3, 20, 17), "again")
    assert second.value.code == "already_reappointed"


@pytest.mark.parametrize(
    ("new_due", "reason", "code"),
    [
        (at(3, 6, 17), "site visit", "new_appointment_not_later"),
        (at(3, 13, 17), "   ", "apology_reason_missing"),
    ],
)
def test_an_invalid_apology_changes_nothing(
    calendar: WorkingCalendar, new_due: datetime, reason: str, code: str
) -> None:
    dossier, _ = received(calendar)
    before = pending(dossier)
    with pytest.raises(Rejection) as refused:
        apologise(dossier, calendar, at(3, 6, 8), new_due, reason)
    assert refused.value.code == code
    assert pending(dossier) == before and dossier.clock.reappointment is None


def test_an_apology_after_the_appointment_is_accepted_and_makes_the_dossier_late(
    calendar: WorkingCalendar,
) -> None:
    dossier, _ = received(calendar)
    outcomes = apologise(dossier, calendar, at(3, 10, 8), at(3, 13, 17), "late")
    assert [o.late for o in outcomes if isinstance(o, Reappointed)] == [True]
    ended = finish(dossier, calendar, at(3, 12, 9))
    [judged] = [o for o in ended if isinstance(o, DossierJudged)]
    assert judged.verdict is Verdict.LATE


def test_lateness_goes_to_the_unit_whose_step_overran(calendar: WorkingCalendar) -> None:
    dossier, _ = received(calendar)
    hand_over(dossier, calendar, at(3, 2, 11), "MC", "PCM")
    hand_over(dossier, calendar, at(3, 9, 14), "PCM", "LD")
    ended = finish(dossier, calendar, at(3, 10, 9), "LD")
    [judged] = [o for o in ended if isinstance(o, DossierJudged)]
    assert (judged.verdict, judged.responsible_unit) == (Verdict.LATE, "PCM")
    assert [s.verdict for s in dossier.steps] == [Verdict.ON_TIME, Verdict.LATE, Verdict.ON_TIME]
    assert not pending(dossier)


@pytest.mark.parametrize(
    ("rules", "judged"),
    [(RULES, Verdict.ON_TIME), (Rules(Granularity.EXACT), Verdict.LATE)],
    ids=["working_day", "exact"],
)
def test_exact_granularity_judges_the_due_day_by_the_instant(
    calendar: WorkingCalendar, rules: Rules, judged: Verdict
) -> None:
    dossier, _ = received(calendar, rules=rules)
    finish(dossier, calendar, at(3, 9, 10), rules=rules)
    assert dossier.verdict is judged


def test_share_warnings_are_planned_when_configured(calendar: WorkingCalendar) -> None:
    dossier, _ = received(calendar, rules=Rules(due_soon_shares=(Decimal("0.5"),)))
    shares = [t for t in dossier.timers if t.kind is TimerKind.SHARE]
    assert [(t.scope, t.share_percent, t.fire_at) for t in shares] == [
        ("dossier", 50, at(3, 4, 14, 30)),
        ("step", 50, at(3, 2, 11)),
    ]


@pytest.mark.parametrize(
    ("operation", "code"),
    [
        (lambda d, c: hand_over(d, c, at(3, 1, 9), "MC", "X"), "out_of_order"),
        (lambda d, c: hand_over(d, c, at(3, 3, 9), "PCM", "X"), "not_holder"),
        (
            lambda d, c: d.receive_supplement(
                at=at(3, 3, 9), now=at(3, 3, 9), calendar=c, rules=RULES
            ),
            "no_pending_supplement",
        ),
        (lambda d, c: d.return_result(at=at(3, 3, 9)), "result_before_finish"),
    ],
)
def test_impossible_events_are_refused_without_change(
    calendar: WorkingCalendar, operation, code: str
) -> None:
    dossier, _ = received(calendar)
    before = (dossier.status, len(dossier.steps), pending(dossier))
    with pytest.raises(Rejection) as refused:
        operation(dossier, calendar)
    assert refused.value.code == code
    assert (dossier.status, len(dossier.steps), pending(dossier)) == before


def test_nothing_applies_after_the_clock_stopped_but_the_result(calendar: WorkingCalendar) -> None:
    dossier, _ = received(calendar)
    finish(dossier, calendar, at(3, 4, 9))
    with pytest.raises(Rejection, match="dossier_closed"):
        dossier.request_supplement(
            at=at(3, 5, 9), now=at(3, 5, 9), unit_code="MC", calendar=calendar, rules=RULES
        )
    dossier.return_result(at=at(3, 5, 9))
    assert dossier.status is DossierStatus.RESULT_RETURNED


def test_without_a_step_plan_the_holder_s_step_is_due_with_the_dossier(
    calendar: WorkingCalendar,
) -> None:
    dossier, _ = TrackedDossier.receive(
        code="STP-260302-0002",
        agency_code="STP",
        unit_code="MC",
        procedure_name="Chứng thực",
        terms=ProcedureTerms("P-0", ProcessingTime.within_day()),
        policy=SupplementPolicy.PAUSE,
        received_at=at(3, 2, 16),
        calendar=calendar,
        rules=RULES,
    )
    # After the 15:00 cut-off: counted from Tuesday, due at its close.
    assert dossier.due(calendar) == at(3, 3, 17)
    assert dossier.current_step.due_at == at(3, 3, 17)
    assert {t.scope for t in dossier.timers} == {"dossier"}
    hand_over(dossier, calendar, at(3, 3, 9))
    assert (dossier.current_step.code, dossier.current_step.due_at) == (None, at(3, 3, 17))
