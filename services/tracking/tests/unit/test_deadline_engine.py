from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from motcua_tracking.domain.calendar import OfficeHours, WorkingCalendar, vietnam_time_zone
from motcua_tracking.domain.deadlines import (
    AllotmentError,
    ProcedureTerms,
    ProcessingTime,
    StepAllotment,
    allocate,
    appointment,
    replan_after_handover,
    step_due_after_handover,
    step_due_times,
    validate_allotments,
)

VN = vietnam_time_zone()
EIGHT_HOURS = timedelta(hours=8)


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def terms(limit: ProcessingTime, cutoff: time | None = None) -> ProcedureTerms:
    return ProcedureTerms("P-1", limit, cutoff=cutoff)


DAYS_3 = terms(ProcessingTime.working_days(3))
DAY_1 = terms(ProcessingTime.working_days(1))


@pytest.mark.parametrize(
    ("received", "limit", "due"),
    [
        pytest.param(at(3, 3, 10), DAYS_3, at(3, 6, 10), id="Mon 10:00 + 3 days"),
        pytest.param(at(3, 7, 14), DAY_1, at(3, 10, 14), id="Fri afternoon + 1 day -> Monday"),
        pytest.param(at(3, 3, 15), DAY_1, at(3, 4, 15), id="at the cut-off counts today"),
        pytest.param(at(3, 3, 15, 1), DAY_1, at(3, 4, 17), id="after the cut-off"),
        # counts from 13:00: Monday 13:00–17:00, then Tuesday 07:30–11:30
        pytest.param(at(3, 3, 12), DAY_1, at(3, 4, 11, 30), id="lunch break starts at 13:00"),
        pytest.param(at(3, 3, 6), DAY_1, at(3, 3, 17), id="before opening"),
        pytest.param(at(3, 3, 7, 30), DAY_1, at(3, 3, 17), id="a full day from opening"),
        pytest.param(at(3, 8, 9), DAY_1, at(3, 10, 17), id="Saturday reception"),
        pytest.param(at(1, 24, 10), terms(ProcessingTime.working_days(2)), at(2, 4, 10), id="Tết"),
        pytest.param(
            at(1, 23, 10), terms(ProcessingTime.working_days(2)), at(2, 3, 10), id="Tết 2"
        ),
        pytest.param(at(4, 25, 10), DAY_1, at(4, 26, 10), id="make-up Saturday"),
        pytest.param(
            at(3, 3, 10), terms(ProcessingTime.working_days("0.5")), at(3, 3, 15, 30), id="half"
        ),
        pytest.param(
            at(3, 3, 14), terms(ProcessingTime.working_hours(4)), at(3, 4, 8, 30), id="4 hours"
        ),
        pytest.param(
            at(3, 3, 10), terms(ProcessingTime.working_hours("1.5")), at(3, 3, 11, 30), id="1.5 h"
        ),
    ],
)
def test_appointment(
    calendar: WorkingCalendar, received: datetime, limit: ProcedureTerms, due: datetime
) -> None:
    assert appointment(calendar, received, limit) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        pytest.param(at(3, 3, 10), at(3, 3, 17), id="morning: close of the day"),
        pytest.param(at(3, 3, 15, 30), at(3, 4, 17), id="after cut-off: next day's close"),
        pytest.param(at(3, 8, 10), at(3, 10, 17), id="Saturday: Monday's close"),
        pytest.param(at(1, 24, 16), at(2, 3, 17), id="Friday before Tết after cut-off"),
    ],
)
def test_within_the_day(calendar: WorkingCalendar, received: datetime, due: datetime) -> None:
    assert appointment(calendar, received, terms(ProcessingTime.within_day())) == due


def test_procedure_cutoff_overrides_the_agency(calendar: WorkingCalendar) -> None:
    late_procedure = terms(ProcessingTime.working_days(1), cutoff=time(16, 0))
    assert appointment(calendar, at(3, 3, 15, 30), late_procedure) == at(3, 4, 15, 30)
    early_procedure = terms(ProcessingTime.working_days(1), cutoff=time(11, 0))
    assert appointment(calendar, at(3, 3, 11, 15), early_procedure) == at(3, 4, 17)


def test_an_agency_without_cutoff_counts_until_closing(calendar: WorkingCalendar) -> None:
    agency = calendar.with_hours(OfficeHours(cutoff=None))
    assert appointment(agency, at(3, 3, 16), DAY_1) == at(3, 4, 16)
    assert appointment(agency, at(3, 3, 17, 30), DAY_1) == at(3, 4, 17)


def test_counting_start_of_a_lunch_reception(calendar: WorkingCalendar) -> None:
    assert calendar.counting_start(at(3, 3, 12, 10)) == at(3, 3, 13)
    assert calendar.counting_start(at(3, 3, 15, 30)) == at(3, 4, 7, 30)


def test_reception_in_another_zone(calendar: WorkingCalendar) -> None:
    received = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
    due = appointment(calendar, received, DAYS_3)
    assert due == at(3, 6, 10)
    assert due.tzinfo is VN


def test_processing_time_rejects_negative_amounts() -> None:
    with pytest.raises(ValueError, match="≥ 0"):
        ProcessingTime.working_days(-1)


STEPS = (
    StepAllotment("TN", "Reception", "one-stop", ProcessingTime.working_days("0.5")),
    StepAllotment("TD", "Appraisal", "specialist", ProcessingTime.working_days(2)),
    StepAllotment("KY", "Sign-off", "leadership", ProcessingTime.working_days("0.5")),
)
STEPPED = ProcedureTerms("P-2", ProcessingTime.working_days(3), STEPS)


def test_steps_chain_from_the_counting_start(calendar: WorkingCalendar) -> None:
    planned = step_due_times(calendar, at(3, 3, 10), STEPPED)
    assert [(step.code, step.starts_at, step.due_at) for step in planned] == [
        ("TN", at(3, 3, 10), at(3, 3, 15, 30)),
        ("TD", at(3, 3, 15, 30), at(3, 5, 15, 30)),
        ("KY", at(3, 5, 15, 30), at(3, 6, 10)),
    ]
    assert planned[-1].due_at == appointment(calendar, at(3, 3, 10), STEPPED)


def test_hanoi_internal_process_adds_up_to_thirty_days() -> None:
    parts = ["0.5", "0.5", "1", "1", "16", "1", "1", "7", "2"]
    steps = tuple(
        StepAllotment(f"S{n}", f"Step {n}", "unit", ProcessingTime.working_days(part))
        for n, part in enumerate(parts)
    )
    validate_allotments(ProcedureTerms("HN", ProcessingTime.working_days(30), steps), EIGHT_HOURS)
    short = ProcedureTerms("HN", ProcessingTime.working_days(30), steps[1:])
    with pytest.raises(
        AllotmentError, match=r"add up to 29\.5 working days, the procedure allows 30"
    ):
        validate_allotments(short, EIGHT_HOURS)


def test_hour_allotments_count_against_a_day_limit() -> None:
    steps = (
        StepAllotment("A", "A", "u", ProcessingTime.working_hours(4)),
        StepAllotment("B", "B", "u", ProcessingTime.working_days("0.5")),
    )
    validate_allotments(ProcedureTerms("P", ProcessingTime.working_days(1), steps), EIGHT_HOURS)


def test_within_the_day_procedures_accept_steps_up_to_a_day() -> None:
    within = ProcessingTime.within_day()
    ok = (StepAllotment("A", "A", "u", ProcessingTime.working_hours(6)),)
    validate_allotments(ProcedureTerms("P", within, ok), EIGHT_HOURS)
    too_long = (StepAllotment("A", "A", "u", ProcessingTime.working_hours(9)),)
    with pytest.raises(AllotmentError, match="within the day"):
        validate_allotments(ProcedureTerms("P", within, too_long), EIGHT_HOURS)
    mixed = (StepAllotment("A", "A", "u", within),)
    with pytest.raises(AllotmentError, match="fixed limit"):
        validate_allotments(ProcedureTerms("P", ProcessingTime.working_days(1), mixed), EIGHT_HOURS)


def test_allocation_splits_in_half_days() -> None:
    parts = allocate(ProcessingTime.working_days(30), [1, 1, 2, 2, 32, 2, 2, 14, 4])
    assert [part.amount for part in parts] == [
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal("1"),
        Decimal("1"),
        Decimal("16"),
        Decimal("1"),
        Decimal("1"),
        Decimal("7"),
        Decimal("2"),
    ]
    odd = allocate(ProcessingTime.working_days("1.3"), [1, 3])
    assert [part.amount for part in odd] == [Decimal("0.5"), Decimal("0.8")]


def test_handover_sets_the_step_due_from_the_handover(calendar: WorkingCalendar) -> None:
    two_days = ProcessingTime.working_days(2)
    assert step_due_after_handover(calendar, at(3, 4, 9), two_days) == at(3, 6, 9)
    half = ProcessingTime.working_days("0.5")
    assert step_due_after_handover(calendar, at(3, 3, 16, 30), half) == at(3, 4, 11)
    assert step_due_after_handover(calendar, at(3, 8, 10), half) == at(3, 10, 11, 30)


def test_handover_replans_the_remaining_steps(calendar: WorkingCalendar) -> None:
    replanned = replan_after_handover(calendar, STEPPED, "TD", at(3, 4, 9))
    assert [(step.code, step.due_at) for step in replanned] == [
        ("TD", at(3, 6, 9)),
        ("KY", at(3, 6, 14, 30)),
    ]
    with pytest.raises(ValueError, match="no step 'XX'"):
        replan_after_handover(calendar, STEPPED, "XX", at(3, 4, 9))
