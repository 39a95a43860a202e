from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from motcua_scoring.domain.periods import (
    LOCAL_TZ,
    Period,
    PeriodKind,
    cover,
    day_period,
    local_date,
    month_period,
    parse_period,
    periods_of,
    quarter_period,
    range_period,
    year_period,
)


@pytest.mark.parametrize(
    ("period", "key"),
    [
        (day_period(date(2026, 11, 21)), "2026-11-21"),
        (month_period(2026, 11), "2026-11"),
        (quarter_period(2026, 4), "2026-Q4"),
        (year_period(2026), "2026"),
        (range_period(date(2026, 11, 1), date(2026, 11, 21)), "2026-11-01..2026-11-21"),
    ],
)
def test_keys_name_the_period_and_parse_back(period: Period, key: str) -> None:
    parsed = parse_period(key)
    assert parsed == period
    assert parsed.key == key


@pytest.mark.parametrize(
    "key", ["2026-13", "2026-Q5", "26", "2026-11-31", "2026-11-21..2026-11-01"]
)
def test_bad_keys_are_rejected(key: str) -> None:
    with pytest.raises(ValueError):
        parse_period(key)


def test_boundaries_are_local_midnights() -> None:
    november = month_period(2026, 11)

    assert november.start == datetime(2026, 11, 1, tzinfo=LOCAL_TZ)
    assert november.end == datetime(2026, 12, 1, tzinfo=LOCAL_TZ)
    assert november.start.astimezone(UTC) == datetime(2026, 10, 31, 17, tzinfo=UTC)
    assert quarter_period(2026, 1).last == date(2026, 3, 31)
    assert month_period(2028, 2).last == date(2028, 2, 29)


def test_2359_local_on_31_october_is_october_even_when_given_in_utc() -> None:
    last_minute = datetime(2026, 10, 31, 16, 59, tzinfo=UTC)
    midnight = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)

    assert local_date(last_minute) == date(2026, 10, 31)
    assert [p.key for p in periods_of(last_minute)] == ["2026-10-31", "2026-10", "2026-Q4", "2026"]
    assert [p.key for p in periods_of(midnight)] == ["2026-11-01", "2026-11", "2026-Q4", "2026"]
    assert month_period(2026, 10).contains(last_minute)
    assert not month_period(2026, 10).contains(midnight)


def test_the_last_minute_of_september_is_the_third_quarter() -> None:
    instant = datetime(2026, 9, 30, 23, 59, tzinfo=LOCAL_TZ)

    assert [p.key for p in periods_of(instant)][2] == "2026-Q3"


def test_naive_instants_are_rejected() -> None:
    with pytest.raises(ValueError):
        local_date(datetime(2026, 11, 1))


def test_calendar_kinds_must_have_calendar_bounds() -> None:
    with pytest.raises(ValueError):
        Period(date(2026, 11, 2), date(2026, 11, 30), PeriodKind.MONTH)


def test_cover_tiles_a_range_with_the_largest_periods() -> None:
    tiles = cover(date(2025, 12, 30), date(2027, 2, 3))

    assert [t.key for t in tiles] == [
        "2025-12-30",
        "2025-12-31",
        "2026",
        "2027-01",
        "2027-02-01",
        "2027-02-02",
        "2027-02-03",
    ]
    assert [t.key for t in cover(date(2026, 10, 1), date(2026, 12, 31))] == ["2026-Q4"]
    assert cover(date(2026, 5, 2), date(2026, 5, 1)) == ()
