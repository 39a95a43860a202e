from datetime import UTC, date, datetime, time, timedelta

import pytest

from motcua_tracking.domain.calendar import (
    CalendarRangeError,
    OfficeHours,
    WorkingCalendar,
    statutory_holidays,
    vietnam_time_zone,
)
from motcua_tracking.domain.year_decisions import load_shipped_decision, parse_decision

VN = vietnam_time_zone()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


OFFICIAL_DAYS_OFF_2025 = [
    date(2025, 1, 1),
    date(2025, 1, 25),
    date(2025, 1, 26),
    date(2025, 1, 27),
    date(2025, 1, 28),
    date(2025, 1, 29),
    date(2025, 1, 30),
    date(2025, 1, 31),
    date(2025, 2, 1),
    date(2025, 2, 2),
    date(2025, 4, 7),
    date(2025, 4, 30),
    date(2025, 5, 1),
    date(2025, 5, 2),
    date(2025, 5, 3),
    date(2025, 5, 4),
    date(2025, 8, 30),
    date(2025, 8, 31),
    date(2025, 9, 1),
    date(2025, 9, 2),
]
OFFICIAL_DAYS_OFF_2026 = [
    date(2026, 1, 1),
    date(2026, 1, 2),
    date(2026, 1, 3),
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 15),
    date(2026, 2, 16),
    date(2026, 2, 17),
    date(2026, 2, 18),
    date(2026, 2, 19),
    date(2026, 2, 20),
    date(2026, 2, 21),
    date(2026, 2, 22),
    date(2026, 4, 27),
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 9, 1),
    date(2026, 9, 2),
]


def weekday_days_off(calendar: WorkingCalendar, year: int) -> list[date]:
    off = calendar.days_off(date(year, 1, 1), date(year, 12, 31))
    return [day for day in off if day.weekday() < 5]


def test_every_official_day_off_2025_is_off(calendar: WorkingCalendar) -> None:
    assert [day for day in OFFICIAL_DAYS_OFF_2025 if calendar.is_working_day(day)] == []


def test_2025_has_no_other_weekday_off(calendar: WorkingCalendar) -> None:
    expected = [day for day in OFFICIAL_DAYS_OFF_2025 if day.weekday() < 5]
    assert weekday_days_off(calendar, 2025) == expected


def test_make_up_saturday_26_april_2025_is_a_working_day(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2025, 4, 26))
    assert calendar.opening(date(2025, 4, 26)) == datetime(2025, 4, 26, 7, 30, tzinfo=VN)
    assert not calendar.is_working_day(date(2025, 4, 19))
    saturdays = [
        day
        for day in days(date(2025, 1, 1), date(2025, 12, 31))
        if day.weekday() == 5 and calendar.is_working_day(day)
    ]
    assert saturdays == [date(2025, 4, 26)]


def test_every_official_day_off_2026_is_off(calendar: WorkingCalendar) -> None:
    assert [day for day in OFFICIAL_DAYS_OFF_2026 if calendar.is_working_day(day)] == []


def test_2026_has_no_other_weekday_off(calendar: WorkingCalendar) -> None:
    expected = [day for day in OFFICIAL_DAYS_OFF_2026 if day.weekday() < 5]
    assert weekday_days_off(calendar, 2026) == expected


def test_2026_unconfirmed_days_stay_working_days(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2026, 8, 31))  # five-day National Day proposal
    assert calendar.is_working_day(date(2026, 11, 24))  # Vietnam Culture Day
    assert not calendar.is_working_day(date(2026, 8, 22))  # its proposed make-up Saturday


def test_statutory_rule_alone_gives_lunar_holidays_and_compensatory_days() -> None:
    statutory = {holiday.day for holiday in statutory_holidays(2027)}
    assert date(2027, 4, 16) in statutory  # Hùng Kings, 10/3 lunar
    assert date(2027, 2, 6) in statutory  # Tết, 1/1 lunar
    assert date(2027, 5, 3) in statutory  # 1/5 falls on a Saturday
    assert date(2026, 4, 27) in {holiday.day for holiday in statutory_holidays(2026)}


def test_statutory_rule_leaves_yearly_swaps_to_the_decision() -> None:
    bare = WorkingCalendar(first_year=2025, last_year=2025)
    assert bare.is_working_day(date(2025, 5, 2))
    assert not bare.is_working_day(date(2025, 4, 26))
    with_decision = bare.with_decision(load_shipped_decision(2025))
    assert not with_decision.is_working_day(date(2025, 5, 2))
    assert with_decision.is_working_day(date(2025, 4, 26))


def test_a_new_decision_replaces_the_old_one_of_its_year(calendar: WorkingCalendar) -> None:
    amended = parse_decision(
        {
            "year": 2026,
            "source": "test amendment",
            "days_off": [{"from": "2026-08-29", "to": "2026-09-02", "reason": "National Day"}],
            "make_up_working_days": [{"date": "2026-08-22", "reason": "for 31/08"}],
        }
    )
    changed = calendar.with_decision(amended)
    assert not changed.is_working_day(date(2026, 8, 31))
    assert changed.is_working_day(date(2026, 8, 22))
    assert changed.is_working_day(date(2026, 1, 2))  # the replaced decision no longer applies
    assert calendar.is_working_day(date(2026, 8, 31))


def test_neighbouring_working_days_skip_tet(calendar: WorkingCalendar) -> None:
    assert calendar.next_working_day(date(2025, 1, 24)) == date(2025, 2, 3)
    assert calendar.previous_working_day(date(2025, 2, 3)) == date(2025, 1, 24)


def test_opening_and_closing_follow_the_office_hours(calendar: WorkingCalendar) -> None:
    assert calendar.opening(date(2025, 3, 3)) == datetime(2025, 3, 3, 7, 30, tzinfo=VN)
    assert calendar.closing(date(2025, 3, 3)) == datetime(2025, 3, 3, 17, 0, tzinfo=VN)
    with pytest.raises(ValueError, match="not a working day"):
        calendar.opening(date(2025, 3, 8))


def test_other_office_hours_keep_an_eight_hour_day(calendar: WorkingCalendar) -> None:
    hours = OfficeHours(((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))), time(16, 0))
    agency = calendar.with_hours(hours)
    assert hours.day_length == timedelta(hours=8)
    assert agency.counting_start(datetime(2025, 3, 3, 15, 30, tzinfo=VN)) == datetime(
        2025, 3, 3, 15, 30, tzinfo=VN
    )
    assert agency.counting_start(datetime(2025, 3, 3, 12, 0, tzinfo=VN)) == datetime(
        2025, 3, 3, 13, 30, tzinfo=VN
    )


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ((), "at least one period"),
        (((time(11, 0), time(8, 0)),), "must precede"),
        (((time(8, 0), time(12, 0)), (time(11, 0), time(17, 0))), "overlap"),
    ],
)
def test_bad_office_hours_are_refused(periods: tuple[tuple[time, time], ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OfficeHours(periods)


def test_office_time_between_skips_lunch_nights_and_days_off(calendar: WorkingCalendar) -> None:
    friday = datetime(2025, 3, 7, 16, 0, tzinfo=VN)
    monday = datetime(2025, 3, 10, 8, 30, tzinfo=VN)
    assert calendar.office_time_between(friday, monday) == timedelta(hours=2)
    morning = datetime(2025, 3, 3, 11, 0, tzinfo=VN)
    assert calendar.add_office_time(morning, timedelta(hours=1)) == datetime(
        2025, 3, 3, 13, 30, tzinfo=VN
    )


def test_instants_in_other_zones_are_read_in_vietnam_time(calendar: WorkingCalendar) -> None:
    utc = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
    assert calendar.position(utc) == calendar.position(datetime(2025, 3, 3, 10, 0, tzinfo=VN))


def test_naive_instants_are_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        calendar.position(datetime(2025, 3, 3, 10, 0))


def test_instants_outside_the_years_are_refused() -> None:
    short = WorkingCalendar(first_year=2025, last_year=2025)
    with pytest.raises(CalendarRangeError, match="2025–2025"):
        short.position(datetime(2026, 1, 5, 10, 0, tzinfo=VN))
    with pytest.raises(CalendarRangeError):
        short.instant(short.position(datetime(2025, 12, 31, 10, 0, tzinfo=VN)) + 10**12)
