"""What a dossier rebuilt with a late-arriving event corrects (brief, decision 9)."""

from datetime import datetime

from tracking_scenario import RULES, at

from motcua_tracking.domain import (
    TIMED,
    AlertRetracted,
    ApologyOwed,
    DueMoved,
    DueSoonReached,
    Outcome,
    OverdueReached,
    ProcedureTerms,
    ProcessingTime,
    SentAlert,
    StepAllotment,
    SupplementPolicy,
    TrackedDossier,
    WorkingCalendar,
    alert_type,
    corrections,
)

TERMS = ProcedureTerms(
    "P-5",
    ProcessingTime.working_days(5),
    (
        StepAllotment("TN", "Reception", "one_stop", ProcessingTime.working_days("0.5")),
        StepAllotment("XL", "Specialist", "department", ProcessingTime.working_days("4.5")),
    ),
)


def received(calendar: WorkingCalendar) -> tuple[TrackedDossier, list[Outcome]]:
    dossier, outcomes = TrackedDossier.receive(
        code="STP-260302-0007",
        agency_code="STP",
        unit_code="MC",
        procedure_name="Cấp phép",
        terms=TERMS,
        policy=SupplementPolicy.PAUSE,
        received_at=at(3, 2, 9),
        calendar=calendar,
        rules=RULES,
    )
    return dossier, list(outcomes)


def as_published(dossier: TrackedDossier, until: datetime) -> TrackedDossier:
    """The dossier with its timers fired up to `until` and its alerts' ids kept."""
    timers = {timer.key: timer for timer in dossier.timers}
    for number, timer in enumerate(dossier.timers):
        timer.stored_id = number + 1
    for number, alert in enumerate(dossier.advance(until, now=until)):
        assert isinstance(alert, TIMED)
        sent = SentAlert(alert_type(alert), f"id-{number}", alert.unit_code)
        timers[alert.timer].sent.append(sent)
    return dossier


def replayed_with_pause(
    calendar: WorkingCalendar, resumed: datetime | None, until: datetime
) -> tuple[TrackedDossier, list[Outcome]]:
    dossier, outcomes = received(calendar)
    outcomes += dossier.request_supplement(
        at=at(3, 3, 9), now=until, unit_code="MC", calendar=calendar, rules=RULES
    )
    if resumed is not None:
        outcomes += dossier.receive_supplement(
            at=resumed, now=until, calendar=calendar, rules=RULES
        )
    outcomes += dossier.advance(until, now=until)
    return dossier, outcomes


def test_alerts_after_a_late_pause_are_withdrawn_and_earlier_ones_kept(
    calendar: WorkingCalendar,
) -> None:
    old = as_published(received(calendar)[0], at(3, 9, 9))
    given = {t.fire_at: t.stored_id for t in old.timers if t.fired_at is not None}
    assert set(given) == {at(3, 2, 11), at(3, 2, 14, 30), at(3, 6, 7, 30), at(3, 9, 9)}
    new, replayed = replayed_with_pause(calendar, None, at(3, 9, 9))
    found = corrections(old, new, replayed, at=at(3, 3, 9), calendar=calendar, rules=RULES)

    retracted = [o for o in found if isinstance(o, AlertRetracted)]
    # The dossier's warning and apology notice, its overdue alert and escalation: paused.
    assert sorted((o.alert.alert_type, o.due_at, o.reason) for o in retracted) == [
        ("tracking.apology-required", at(3, 9, 9), "paused_before_due"),
        ("tracking.due-soon", at(3, 9, 9), "paused_before_due"),
        ("tracking.escalated", at(3, 9, 9), "paused_before_due"),
        ("tracking.overdue", at(3, 9, 9), "paused_before_due"),
    ]
    moved = [o for o in found if isinstance(o, DueMoved)]
    assert [(o.scope, o.step_code, o.old_due, o.new_due, o.cause, o.corrected) for o in moved] == [
        ("dossier", None, at(3, 9, 9), None, "supplement_paused", True),
        ("step", "TN", at(3, 2, 14, 30), None, "supplement_paused", True),
    ]
    # The step alerts of Monday stand, with their ids; the others are cancelled.
    kept = [t for t in new.timers if t.fired_at is not None and not t.cancelled]
    assert {t.fire_at: t.stored_id for t in kept} == {
        at(3, 2, 11): given[at(3, 2, 11)],
        at(3, 2, 14, 30): given[at(3, 2, 14, 30)],
    }
    cancelled = {t.stored_id for t in new.timers if t.cancelled}
    assert cancelled == {given[at(3, 6, 7, 30)], given[at(3, 9, 9)]}


def test_an_alert_whose_due_time_a_late_pause_moved_is_withdrawn_as_moved(
    calendar: WorkingCalendar,
) -> None:
    old = as_published(received(calendar)[0], at(3, 9, 9))
    new, replayed = replayed_with_pause(calendar, at(3, 4, 9), at(3, 9, 9))
    found = corrections(old, new, replayed, at=at(3, 3, 9), calendar=calendar, rules=RULES)
    retracted = [o for o in found if isinstance(o, AlertRetracted)]
    # The step was overdue on Monday, before the pause: that alert stands.
    assert {(o.scope, o.due_at, o.reason) for o in retracted} == {
        ("dossier", at(3, 9, 9), "due_moved")
    }
    moved = [o for o in found if isinstance(o, DueMoved)]
    assert [(o.scope, o.new_due, o.cause) for o in moved] == [
        ("dossier", at(3, 10, 9), "supplement_resumed"),
        ("step", at(3, 3, 14, 30), "supplement_resumed"),
    ]
    # The new appointment's warning (Monday 07:30) fired in the replay: published as new.
    fresh = [o for o in found if isinstance(o, DueSoonReached | ApologyOwed | OverdueReached)]
    assert {(type(o).__name__, o.at) for o in fresh if o.due_at == at(3, 10, 9)} == {
        ("DueSoonReached", at(3, 9, 7, 30)),
        ("ApologyOwed", at(3, 9, 7, 30)),
    }
    assert ("OverdueReached", at(3, 3, 14, 30)) in {(type(o).__name__, o.at) for o in fresh}
