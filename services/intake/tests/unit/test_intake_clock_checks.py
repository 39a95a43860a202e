from datetime import UTC, date, datetime, timedelta

import pytest

from motcua_intake.domain.clock_checks import (
    DEFAULT_CLOCK_SKEW,
    VIETNAM_TZ,
    check_reported_time,
    event_day,
    local_date,
)
from motcua_intake.domain.validation import ErrorCode, Invalid, Valid

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=VIETNAM_TZ)


def test_the_default_skew_is_five_minutes() -> None:
    assert timedelta(minutes=5) == DEFAULT_CLOCK_SKEW


def test_a_past_aware_time_is_accepted_unchanged() -> None:
    reported = datetime(2026, 3, 10, 1, 30, tzinfo=UTC)
    assert check_reported_time(reported, NOW) == Valid(reported)


def test_a_time_without_timezone_is_refused() -> None:
    result = check_reported_time(datetime(2026, 3, 10, 8, 0), NOW)
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.TIME_WITHOUT_TIMEZONE == "time_without_timezone"


def test_a_time_within_the_skew_is_accepted() -> None:
    reported = NOW + timedelta(minutes=5)
    assert check_reported_time(reported, NOW) == Valid(reported)


def test_a_time_beyond_the_skew_is_in_the_future() -> None:
    result = check_reported_time(NOW + timedelta(minutes=5, seconds=1), NOW)
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.TIME_IN_FUTURE == "time_in_future"


def test_the_skew_is_an_argument() -> None:
    reported = NOW + timedelta(minutes=2)
    assert isinstance(check_reported_time(reported, NOW, skew=timedelta(0)), Invalid)
    assert check_reported_time(reported, NOW, skew=timedelta(minutes=10)) == Valid(reported)


def test_offsets_are_compared_as_instants() -> None:
    same_instant_in_utc = datetime(2026, 3, 10, 2, 4, tzinfo=UTC)
    assert isinstance(check_reported_time(same_instant_in_utc, NOW), Valid)


def test_a_naive_now_or_negative_skew_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="now"):
        check_reported_time(NOW, datetime(2026, 3, 10, 9, 0))
    with pytest.raises(ValueError, match="skew"):
        check_reported_time(NOW, NOW, skew=timedelta(minutes=-1))


def test_the_local_date_is_the_date_in_vietnam() -> None:
    assert local_date(datetime(2026, 3, 10, 16, 59, tzinfo=UTC)) == date(2026, 3, 10)
    assert local_date(datetime(2026, 3, 10, 17, 0, tzinfo=UTC)) == date(2026, 3, 11)
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(datetime(2026, 3, 10, 17, 0))


def test_a_time_of_a_past_covered_year_is_history_and_accepted() -> None:
    reported = datetime(2015, 1, 1, 0, 0, tzinfo=VIETNAM_TZ)
    assert check_reported_time(reported, NOW) == Valid(reported)
    past = datetime(2019, 3, 4, 9, tzinfo=VIETNAM_TZ)
    assert check_reported_time(past, NOW) == Valid(past)


def test_a_time_before_the_calendar_s_years_is_refused_naming_them() -> None:
    result = check_reported_time(datetime(2014, 12, 31, 23, 59, tzinfo=VIETNAM_TZ), NOW)
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.TIME_TOO_EARLY
    assert "covers the years 2015–2035" in result.message


def test_a_reported_time_is_judged_on_its_own_day() -> None:
    assert event_day(datetime(2019, 2, 1, 18, 0, tzinfo=UTC), NOW) == date(2019, 2, 2)
    assert event_day(NOW + timedelta(minutes=1), NOW) == date(2026, 3, 10)  # still to come
    assert event_day(datetime(2019, 2, 1, 9, 0), NOW) == date(2026, 3, 10)  # no zone
    assert event_day(datetime(1970, 1, 1, tzinfo=UTC), NOW) == date(2026, 3, 10)  # too early
