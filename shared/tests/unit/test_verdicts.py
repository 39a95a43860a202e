"""The one rule for verdicts and for where an open dossier stands."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.verdicts import (
    VIETNAM,
    Granularity,
    Standing,
    first_overdue_day,
    is_overdue,
    overdue_on,
    standing,
    verdict,
)
from motcua.vocabulary import Verdict

DUE = datetime(2025, 3, 6, 10, 0, tzinfo=VIETNAM)


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=VIETNAM)


def test_verdict_values_are_the_wire_names() -> None:
    assert [v.value for v in Verdict] == ["early", "on_time", "late"]
    assert [s.value for s in Standing] == ["within_deadline", "due_soon", "overdue"]


@pytest.mark.parametrize(
    ("finished", "by_day", "exact"),
    [
        pytest.param(at(5, 16), Verdict.EARLY, Verdict.EARLY, id="the day before"),
        pytest.param(at(6, 9), Verdict.ON_TIME, Verdict.ON_TIME, id="due day before due time"),
        pytest.param(at(6, 10), Verdict.ON_TIME, Verdict.ON_TIME, id="at the due time"),
        pytest.param(at(6, 16), Verdict.ON_TIME, Verdict.LATE, id="due day after due time"),
        pytest.param(at(7, 8), Verdict.LATE, Verdict.LATE, id="the day after"),
    ],
)
def test_verdicts_by_day_and_exact(finished: datetime, by_day: Verdict, exact: Verdict) -> None:
    assert verdict(finished, DUE) is by_day
    assert verdict(finished, DUE, Granularity.EXACT) is exact


def test_days_are_taken_in_vietnam_time() -> None:
    # Wednesday 20:00 UTC is Thursday 03:00 in Hanoi: the due day, not the day before.
    finished = datetime(2025, 3, 5, 20, 0, tzinfo=UTC)
    assert verdict(finished, DUE) is Verdict.ON_TIME


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="zone-aware"):
        verdict(datetime(2025, 3, 6, 9), DUE)
    with pytest.raises(ValueError, match="zone-aware"):
        standing(None, datetime(2025, 3, 6, 9))


@pytest.mark.parametrize(
    ("now", "by_day", "exact"),
    [
        pytest.param(at(4, 16), Standing.WITHIN_DEADLINE, Standing.WITHIN_DEADLINE, id="before"),
        pytest.param(at(6, 8), Standing.DUE_SOON, Standing.DUE_SOON, id="due day, before hour"),
        pytest.param(at(6, 16), Standing.DUE_SOON, Standing.OVERDUE, id="due day, hour passed"),
        pytest.param(at(7, 8), Standing.OVERDUE, Standing.OVERDUE, id="the day after"),
    ],
)
def test_an_open_dossier_stands_by_the_verdict_it_would_get(
    now: datetime, by_day: Standing, exact: Standing
) -> None:
    assert standing(DUE, now) is by_day
    assert standing(DUE, now, Granularity.EXACT) is exact


def test_paused_is_within_deadline_and_a_warning_makes_it_due_soon() -> None:
    assert standing(None, at(20, 9)) is Standing.WITHIN_DEADLINE
    assert standing(DUE, at(4, 9), warned=True) is Standing.DUE_SOON
    assert standing(DUE, at(7, 9), warned=True) is Standing.OVERDUE


def test_the_day_figures_count_a_dossier_as_it_stands_at_the_close() -> None:
    assert first_overdue_day(DUE) == date(2025, 3, 7)
    assert first_overdue_day(DUE, Granularity.EXACT) == date(2025, 3, 6)
    assert not overdue_on(None, date(2025, 3, 20))


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
granularities = st.sampled_from(Granularity)


@given(due=instants, now=instants, granularity=granularities, warned=st.booleans())
def test_overdue_exactly_when_finishing_now_would_be_late(
    due: datetime, now: datetime, granularity: Granularity, warned: bool
) -> None:
    late = verdict(now, due, granularity) is Verdict.LATE
    assert is_overdue(due, now, granularity) is late
    assert (standing(due, now, granularity, warned=warned) is Standing.OVERDUE) is late


@given(due=instants, now=instants, granularity=granularities)
def test_the_count_of_a_day_is_the_standing_at_its_close(
    due: datetime, now: datetime, granularity: Granularity
) -> None:
    day = now.astimezone(VIETNAM).date()
    close = datetime.combine(day + timedelta(days=1), datetime.min.time(), VIETNAM)
    last_instant = close - timedelta(microseconds=1)
    assert overdue_on(due, day, granularity) is is_overdue(due, last_instant, granularity)
    if granularity is Granularity.WORKING_DAY:
        # by working day the count is the standing at every instant of the day
        assert overdue_on(due, day, granularity) is is_overdue(due, now, granularity)
