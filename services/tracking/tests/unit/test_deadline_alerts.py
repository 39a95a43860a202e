from datetime import datetime
from decimal import Decimal

import pytest
from tracking_scenario import VN

from motcua_tracking.domain.alerts import due_soon_at, elapsed_share_at, overdue_at, warning_at
from motcua_tracking.domain.calendar import WorkingCalendar


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(
    ("due", "soon"),
    [
        pytest.param(at(3, 6, 10), at(3, 5, 7, 30), id="the working day before"),
        pytest.param(at(3, 10, 10), at(3, 7, 7, 30), id="Monday: the Friday before"),
        pytest.param(at(2, 3, 10), at(1, 24, 7, 30), id="after Tết"),
        pytest.param(at(4, 28, 10), at(4, 26, 7, 30), id="the make-up Saturday"),
    ],
)
def test_due_soon_is_the_opening_of_the_previous_working_day(
    calendar: WorkingCalendar, due: datetime, soon: datetime
) -> None:
    assert due_soon_at(calendar, due) == soon


@pytest.mark.parametrize(
    ("share", "instant"),
    [
        (Decimal("0"), at(3, 3, 10)),
        (Decimal("0.5"), at(3, 4, 15, 30)),
        (Decimal("0.75"), at(3, 5, 13, 30)),
        (Decimal("1"), at(3, 6, 10)),
    ],
)
def test_shares_of_elapsed_office_time(
    calendar: WorkingCalendar, share: Decimal, instant: datetime
) -> None:
    assert elapsed_share_at(calendar, at(3, 3, 10), at(3, 6, 10), share) == instant


def test_share_must_be_a_fraction(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        elapsed_share_at(calendar, at(3, 3, 10), at(3, 6, 10), Decimal("1.5"))


def test_overdue_at_the_appointment() -> None:
    assert overdue_at(at(3, 6, 10)) == at(3, 6, 10)


def test_the_warning_is_the_previous_working_day_when_that_comes_after_the_start(
    calendar: WorkingCalendar,
) -> None:
    assert warning_at(calendar, at(3, 3, 10), at(3, 6, 10)) == at(3, 5, 7, 30)


def test_a_short_limit_warns_at_half_time_instead(calendar: WorkingCalendar) -> None:
    # Due Wednesday 10:00 from Tuesday 10:00: Tuesday's opening precedes the start.
    assert warning_at(calendar, at(3, 4, 10), at(3, 5, 10)) == at(3, 4, 15, 30)
