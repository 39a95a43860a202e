from datetime import UTC, datetime

import pytest

from motcua_tracking.domain.calendar import vietnam_time_zone
from motcua_tracking.domain.verdicts import Granularity, Verdict, verdict

VN = vietnam_time_zone()
DUE = datetime(2025, 3, 6, 10, 0, tzinfo=VN)


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=VN)


def test_verdict_values_are_the_wire_names() -> None:
    assert [v.value for v in Verdict] == ["early", "on_time", "late"]


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
