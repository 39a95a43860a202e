from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua_notify.domain.local_time import VIETNAM
from motcua_notify.domain.quiet_hours import QuietHours, earliest_send_time


def local(day, hour, minute=0):
    return datetime(2025, 3, day, hour, minute, tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(3, 20, 59), local(3, 20, 59)),
        (local(3, 21, 0), local(4, 7, 0)),
        (local(3, 23, 30), local(4, 7, 0)),
        (local(4, 0, 0), local(4, 7, 0)),
        (local(4, 6, 59), local(4, 7, 0)),
        (local(4, 7, 0), local(4, 7, 0)),
        (local(4, 12, 0), local(4, 12, 0)),
    ],
)
def test_default_window_is_21_to_07_local(now, expected):
    assert earliest_send_time(now) == expected


def test_across_month_end():
    assert earliest_send_time(datetime(2025, 3, 31, 22, 0, tzinfo=VIETNAM)) == datetime(
        2025, 4, 1, 7, 0, tzinfo=VIETNAM
    )


def test_now_in_utc_is_read_as_vietnam_time():
    # 14:30 UTC is 21:30 in Hà Nội.
    now = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)

    assert earliest_send_time(now) == local(4, 7, 0)
    assert earliest_send_time(now) == datetime(2025, 3, 4, 0, 0, tzinfo=UTC)


def test_outside_the_window_returns_now_unchanged():
    now = datetime(2025, 3, 3, 5, 0, tzinfo=UTC)

    assert earliest_send_time(now) is now


def test_configurable_window():
    quiet = QuietHours(start=time(22, 0), end=time(6, 30))

    assert earliest_send_time(local(3, 21, 30), quiet) == local(3, 21, 30)
    assert earliest_send_time(local(3, 22, 0), quiet) == local(4, 6, 30)


def test_window_within_one_day():
    lunch = QuietHours(start=time(11, 30), end=time(13, 0))

    assert earliest_send_time(local(3, 12, 0), lunch) == local(3, 13, 0)
    assert earliest_send_time(local(3, 13, 0), lunch) == local(3, 13, 0)
    assert earliest_send_time(local(3, 23, 0), lunch) == local(3, 23, 0)


def test_empty_window_never_delays():
    assert earliest_send_time(local(3, 2, 0), QuietHours(time(0), time(0))) == local(3, 2, 0)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="no time zone"):
        earliest_send_time(datetime(2025, 3, 3, 22, 0))


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2035, 1, 1),
        timezones=st.just(timezone(timedelta(hours=3))),
    )
)
def test_result_is_never_early_never_quiet_and_at_most_ten_hours_away(now):
    quiet = QuietHours()
    send_at = earliest_send_time(now, quiet)

    assert send_at >= now
    assert send_at - now <= timedelta(hours=10)
    assert not quiet.contains(send_at.astimezone(VIETNAM).time())
