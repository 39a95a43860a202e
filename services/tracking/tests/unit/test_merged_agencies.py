"""Merged agencies: from local midnight of the merge date, the absorbing agency's hours.

Agency A (07:00–11:00, 13:30–16:30, cut-off 14:00) is merged into B (07:30–11:30,
13:00–17:00, cut-off 15:00) on Monday 16 March 2026. Work on A's dossiers from that
midnight is judged on B's hours; what was computed before stays on A's.
"""

from __future__ import annotations

from datetime import date, datetime, time

from tracking_scenario import FIVE_STEPS, RULES, at

from motcua_tracking.adapters.agencies import StoredOffice
from motcua_tracking.domain import (
    DossierJudged,
    MergedCalendar,
    OfficeHours,
    SupplementPolicy,
    TrackedDossier,
    WorkingCalendar,
    build_calendar,
    step_due_after_handover,
)
from motcua_tracking.service.calendars import CalendarBook

A_PERIODS = ((time(7), time(11)), (time(13, 30), time(16, 30)))
B_PERIODS = ((time(7, 30), time(11, 30)), (time(13), time(17)))
A_HOURS = OfficeHours(A_PERIODS, time(14))
B_HOURS = OfficeHours(B_PERIODS, time(15))
MERGED_ON = date(2026, 3, 16)
TERMS = FIVE_STEPS


def office(code: str, hours: OfficeHours | None = None, into: str | None = None, on=None):
    periods = hours.periods if hours else ()
    return StoredOffice(code, periods, hours.cutoff if hours else None, into, on)


def book(*stored: StoredOffice) -> CalendarBook:
    made = CalendarBook(OfficeHours(), {}, (2025, 2027))
    made.use_published(stored)
    return made


def a_into_b() -> CalendarBook:
    return book(office("A", A_HOURS, "B", MERGED_ON), office("B", B_HOURS))


def receive(calendar: WorkingCalendar, policy=SupplementPolicy.PAUSE) -> TrackedDossier:
    # Thursday 12 March 14:30: after A's cut-off, counted from Friday 07:00 on A's hours.
    dossier, _ = TrackedDossier.receive(
        code="A-260312-0001",
        agency_code="A",
        unit_code="MC",
        procedure_name="Cấp phép",
        terms=TERMS,
        policy=policy,
        received_at=at(3, 12, 14, 30),
        calendar=calendar,
        rules=RULES,
    )
    return dossier


def hand_over(dossier: TrackedDossier, when: datetime, to: str, calendar) -> None:
    dossier.transfer(
        at=when,
        now=when,
        from_unit=dossier.holder,
        to_unit=to,
        step_code=None,
        note=None,
        calendar=calendar,
        rules=RULES,
    )


def test_the_book_resolves_the_agency_at_an_instant_from_midnight_of_the_merge_date() -> None:
    calendars = a_into_b()
    assert calendars.agency_at("A", at(3, 15, 23, 59)) == "A"
    assert calendars.agency_at("A", at(3, 16, 0)) == "B"
    assert calendars.agency_at("B", at(3, 16, 0)) == "B"
    merged = calendars.for_agency("A")
    assert isinstance(merged, MergedCalendar)
    assert merged.at(at(3, 15, 23, 59)).hours == A_HOURS
    assert merged.at(at(3, 16, 0)).hours == B_HOURS
    assert merged.hours == B_HOURS  # used plainly: the agency handling its dossiers now
    assert calendars.hours_for("A") == A_HOURS  # the agency's own hours stay readable
    assert calendars.for_agency("B").at(at(3, 1, 9)).hours == B_HOURS


def test_chains_are_followed_and_a_step_never_goes_back() -> None:
    # C into A on 9 March, A into B on 16 March.
    chain = book(
        office("C", OfficeHours(((time(8), time(12)),), None), "A", date(2026, 3, 9)),
        office("A", A_HOURS, "B", MERGED_ON),
        office("B", B_HOURS),
    )
    assert [chain.agency_at("C", at(3, d, 9)) for d in (6, 9, 13, 16, 20)] == [
        "C",
        "A",
        "A",
        "B",
        "B",
    ]
    calendar = chain.for_agency("C")
    assert [calendar.at(at(3, d, 9)).hours for d in (6, 10, 17)] == [
        OfficeHours(((time(8), time(12)),), None),
        A_HOURS,
        B_HOURS,
    ]
    # A was absorbed before C joined it: from C's merge date straight to B.
    early = book(office("C", None, "A", MERGED_ON), office("A", A_HOURS, "B", date(2026, 3, 2)))
    assert early.agency_at("C", at(3, 10, 9)) == "C"
    assert early.agency_at("C", at(3, 16, 0)) == "B"
    # A loop in the published data stops where it would repeat.
    loop = book(office("A", A_HOURS, "B", MERGED_ON), office("B", B_HOURS, "A", MERGED_ON))
    assert [code for _, code in loop.succession("A")] == ["A", "B"]


def test_a_merge_without_a_date_changes_nothing() -> None:
    calendars = book(office("A", A_HOURS, "B", None), office("B", B_HOURS))
    assert calendars.agency_at("A", at(6, 1, 9)) == "A"
    assert not isinstance(calendars.for_agency("A"), MergedCalendar)


def test_the_appointment_and_steps_begun_before_the_merge_keep_the_absorbed_hours() -> None:
    calendar = a_into_b().for_agency("A")
    dossier = receive(calendar)
    # On A's hours: counted from Friday 07:00 (after A's 14:00 cut-off), 5 × 7 h.
    assert dossier.counting_from == at(3, 13, 7)
    assert dossier.appointment_at == at(3, 19, 16, 30)
    assert dossier.steps[0].due_at == at(3, 13, 10, 30)
    # Friday 09:00, before the merge: 3½ days of A's hours, running past the merge date.
    hand_over(dossier, at(3, 13, 9), "PCM", calendar)
    assert dossier.current_step.due_at == at(3, 18, 15)
    assert dossier.plan["XL"] == at(3, 18, 15)
    # The merge moves neither the appointment nor that step, whatever is asked later.
    assert dossier.due(calendar) == at(3, 19, 16, 30)
    assert dossier.step_due(dossier.current_step, calendar) == at(3, 18, 15)


def test_a_step_started_from_the_merge_date_counts_on_the_absorbing_hours() -> None:
    calendars = a_into_b()
    calendar = calendars.for_agency("A")
    dossier = receive(calendar)
    hand_over(dossier, at(3, 13, 9), "PCM", calendar)
    hand_over(dossier, at(3, 17, 9), "LD", calendar)
    # ½ day of B's hours (4 h) from Tuesday 09:00: 14:30, where A's would give 15:00.
    assert dossier.current_step.due_at == at(3, 17, 14, 30)
    a_only = calendars.for_agency("B").with_hours(A_HOURS)
    assert step_due_after_handover(a_only, at(3, 17, 9), TERMS.steps[2].allotted) == at(3, 17, 15)
    assert dossier.plan["TKQ"] == at(3, 18, 9)  # the plan after it too, on B's hours
    assert dossier.steps[1].due_at == at(3, 18, 15)  # the step before keeps its due time
    assert dossier.due(calendar) == at(3, 19, 16, 30)
    step_timers = [t for t in dossier.timers if t.scope == "step" and t.pending]
    assert {t.due_at for t in step_timers} == {at(3, 17, 14, 30)}


def test_a_pause_resumed_from_the_merge_date_restarts_on_the_absorbing_hours() -> None:
    calendar = a_into_b().for_agency("A")
    dossier = receive(calendar, SupplementPolicy.RESTART)
    dossier.request_supplement(
        at=at(3, 13, 9), now=at(3, 13, 9), unit_code="MC", calendar=calendar, rules=RULES
    )
    dossier.receive_supplement(
        at=at(3, 17, 14, 30), now=at(3, 17, 14, 30), calendar=calendar, rules=RULES
    )
    # B's cut-off is 15:00: counted from 14:30 that day (A's 14:00 would give the next
    # morning and Tuesday 24 March 16:30).
    assert dossier.due(calendar) == at(3, 24, 14, 30)


def test_office_time_used_counts_each_side_of_the_merge_on_its_own_hours() -> None:
    calendar = a_into_b().for_agency("A")
    # Friday on A's hours (one day), Monday and Tuesday on B's, then Wednesday 07:30–16:00
    # less the break: 7 of B's 8 hours.
    assert calendar.office_days_between(at(3, 13, 7), at(3, 18, 16)) == 3.875
    assert calendar.office_days_between(at(3, 18, 16), at(3, 13, 7)) == -3.875
    dossier = receive(calendar)
    outcomes = dossier.finish(
        at=at(3, 18, 16),
        now=at(3, 18, 16),
        ended_by="processing_finished",
        status=dossier.status,
        unit_code="LD",
        calendar=calendar,
        rules=RULES,
    )
    [judged] = [o for o in outcomes if isinstance(o, DossierJudged)]
    assert judged.working_days == 3.875
    assert judged.due_at == at(3, 19, 16, 30)


def test_an_agency_never_merged_keeps_one_calendar() -> None:
    calendar = build_calendar(A_HOURS)
    assert calendar.at(at(1, 1, 0)) is calendar
    assert calendar.office_days_between(at(3, 13, 7), at(3, 16, 7)) == 1.0
