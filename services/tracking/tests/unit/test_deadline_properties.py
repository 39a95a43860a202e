from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua_tracking.domain.calendar import WorkingCalendar, vietnam_time_zone
from motcua_tracking.domain.clocks import DossierClock, SupplementPolicy
from motcua_tracking.domain.deadlines import (
    ProcedureTerms,
    ProcessingTime,
    StepAllotment,
    allocate,
    appointment,
    step_due_times,
    validate_allotments,
)

VN = vietnam_time_zone()
PERIODS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
CUTOFF = time(15, 0)

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(VN)
).map(lambda moment: moment.replace(second=0, microsecond=0))
day_limits = st.integers(min_value=1, max_value=120).map(
    lambda halves: ProcessingTime.working_days(Decimal(halves) / 2)
)
hour_limits = st.integers(min_value=1, max_value=40).map(ProcessingTime.working_hours)
limits = st.one_of(day_limits, hour_limits, st.just(ProcessingTime.within_day()))
office_delays = st.integers(min_value=0, max_value=20 * 8 * 60).map(lambda m: timedelta(minutes=m))


def in_office_hours(moment: datetime) -> bool:
    clock = moment.timetz().replace(tzinfo=None)
    return any(start < clock <= end for start, end in PERIODS)


def reference_appointment(
    calendar: WorkingCalendar, received: datetime, limit: ProcessingTime
) -> datetime:
    """Day-by-day walk, independent of the position arithmetic."""
    day, clock = received.date(), received.timetz().replace(tzinfo=None)
    if not calendar.is_working_day(day) or clock > CUTOFF:
        day, clock = _next_working(calendar, day), time(0)
    if limit.unit == "within_day":
        return datetime.combine(day, PERIODS[-1][1], VN)
    per_day = Decimal(8 * 3600) if limit.unit == "working_days" else Decimal(3600)
    remaining = timedelta(seconds=int(limit.amount * per_day))
    while True:
        for start, end in PERIODS:
            begin = max(start, clock)
            if begin >= end:
                continue
            available = datetime.combine(day, end) - datetime.combine(day, begin)
            if remaining <= available:
                return datetime.combine(day, begin, VN) + remaining
            remaining -= available
        day, clock = _next_working(calendar, day), time(0)


def _next_working(calendar: WorkingCalendar, day: date) -> date:
    day += timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


@given(received=instants, limit=limits)
def test_matches_a_day_by_day_walk(
    calendar: WorkingCalendar, received: datetime, limit: ProcessingTime
) -> None:
    terms = ProcedureTerms("P", limit)
    assert appointment(calendar, received, terms) == reference_appointment(
        calendar, received, limit
    )


@given(received=instants, limit=limits)
def test_never_lands_on_a_day_off_or_outside_office_hours(
    calendar: WorkingCalendar, received: datetime, limit: ProcessingTime
) -> None:
    due = appointment(calendar, received, ProcedureTerms("P", limit))
    assert calendar.is_working_day(due.date())
    assert in_office_hours(due)
    assert due > received


@given(received=instants, limit=st.one_of(day_limits, hour_limits))
def test_uses_exactly_the_limit_of_office_time(
    calendar: WorkingCalendar, received: datetime, limit: ProcessingTime
) -> None:
    due = appointment(calendar, received, ProcedureTerms("P", limit))
    start = calendar.counting_start(received)
    expected = limit.office_seconds(calendar.day_seconds)
    assert calendar.office_time_between(start, due) == timedelta(seconds=expected)


@given(first=instants, delay=st.timedeltas(timedelta(0), timedelta(days=10)), limit=limits)
def test_a_later_reception_is_never_due_earlier(
    calendar: WorkingCalendar, first: datetime, delay: timedelta, limit: ProcessingTime
) -> None:
    terms = ProcedureTerms("P", limit)
    assert appointment(calendar, first, terms) <= appointment(calendar, first + delay, terms)


@given(
    received=instants,
    limit=st.one_of(day_limits, hour_limits),
    before_request=office_delays,
    pause=office_delays,
    policy=st.sampled_from(SupplementPolicy),
)
def test_resuming_never_shortens_the_deadline(
    calendar: WorkingCalendar,
    received: datetime,
    limit: ProcessingTime,
    before_request: timedelta,
    pause: timedelta,
    policy: SupplementPolicy,
) -> None:
    clock = DossierClock(received, ProcedureTerms("P", limit), policy)
    before = clock.due(calendar)
    assert before is not None
    requested = calendar.add_office_time(calendar.counting_start(received), before_request)
    resumed_at = calendar.add_office_time(requested, pause)
    after = clock.suspend(requested).resume(resumed_at).due(calendar)
    assert after is not None
    assert after >= before
    if policy is SupplementPolicy.PAUSE:
        assert calendar.office_time_between(before, after) == pause


@given(
    halves=st.integers(min_value=1, max_value=200),
    weights=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=10),
    received=instants,
)
def test_allocation_sums_to_the_total(
    calendar: WorkingCalendar, halves: int, weights: list[int], received: datetime
) -> None:
    total = ProcessingTime.working_days(Decimal(halves) / 2)
    parts = allocate(total, weights)
    assert sum(part.amount for part in parts) == total.amount
    steps = tuple(StepAllotment(f"S{n}", f"Step {n}", "unit", part) for n, part in enumerate(parts))
    terms = ProcedureTerms("P", total, steps)
    validate_allotments(terms, timedelta(hours=8))
    assert step_due_times(calendar, received, terms)[-1].due_at == appointment(
        calendar, received, terms
    )


@settings(max_examples=50)
@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(50), places=2),
    weights=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=6).filter(any),
)
def test_allocation_of_odd_totals_sums_exactly(amount: Decimal, weights: list[int]) -> None:
    parts = allocate(ProcessingTime.working_hours(amount), weights)
    assert sum(part.amount for part in parts) == amount
    assert all(part.amount >= 0 for part in parts)
