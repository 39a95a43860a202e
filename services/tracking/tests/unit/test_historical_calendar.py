"""Each year's official days off and make-up working days from 2015, as announced.

The expected days are written from the notices themselves (sources in each year's data
file); the calendar must give exactly these weekdays off and these weekend days worked.
"""

from datetime import date, datetime, timedelta

import pytest

from motcua.calendar_years import COVERED_YEARS
from motcua_tracking.domain.calendar import (
    CalendarRangeError,
    WorkingCalendar,
    statutory_holidays,
    statutory_rule,
    vietnam_time_zone,
)
from motcua_tracking.domain.year_decisions import SHIPPED_YEARS, load_shipped_decision

D = date
# Weekdays off for civil servants, year by year (weekends are off anyway).
WEEKDAYS_OFF = {
    2015: [
        D(2015, 1, 1),
        D(2015, 1, 2),
        D(2015, 2, 16),
        D(2015, 2, 17),
        D(2015, 2, 18),
        D(2015, 2, 19),
        D(2015, 2, 20),
        D(2015, 2, 23),
        D(2015, 4, 28),
        D(2015, 4, 29),
        D(2015, 4, 30),
        D(2015, 5, 1),
        D(2015, 9, 2),
    ],
    2016: [
        D(2016, 1, 1),
        D(2016, 2, 8),
        D(2016, 2, 9),
        D(2016, 2, 10),
        D(2016, 2, 11),
        D(2016, 2, 12),
        D(2016, 4, 18),
        D(2016, 5, 2),
        D(2016, 5, 3),
        D(2016, 9, 2),
    ],
    2017: [
        D(2017, 1, 2),
        D(2017, 1, 26),
        D(2017, 1, 27),
        D(2017, 1, 30),
        D(2017, 1, 31),
        D(2017, 2, 1),
        D(2017, 4, 6),
        D(2017, 5, 1),
        D(2017, 5, 2),
        D(2017, 9, 4),
    ],
    2018: [
        D(2018, 1, 1),
        D(2018, 2, 14),
        D(2018, 2, 15),
        D(2018, 2, 16),
        D(2018, 2, 19),
        D(2018, 2, 20),
        D(2018, 4, 25),
        D(2018, 4, 30),
        D(2018, 5, 1),
        D(2018, 9, 3),
        D(2018, 12, 31),
    ],
    2019: [
        D(2019, 1, 1),
        D(2019, 2, 4),
        D(2019, 2, 5),
        D(2019, 2, 6),
        D(2019, 2, 7),
        D(2019, 2, 8),
        D(2019, 4, 15),
        D(2019, 4, 29),
        D(2019, 4, 30),
        D(2019, 5, 1),
        D(2019, 9, 2),
    ],
    2020: [
        D(2020, 1, 1),
        D(2020, 1, 23),
        D(2020, 1, 24),
        D(2020, 1, 27),
        D(2020, 1, 28),
        D(2020, 1, 29),
        D(2020, 4, 2),
        D(2020, 4, 30),
        D(2020, 5, 1),
        D(2020, 9, 2),
    ],
    2021: [
        D(2021, 1, 1),
        D(2021, 2, 10),
        D(2021, 2, 11),
        D(2021, 2, 12),
        D(2021, 2, 15),
        D(2021, 2, 16),
        D(2021, 4, 21),
        D(2021, 4, 30),
        D(2021, 5, 3),
        D(2021, 9, 2),
        D(2021, 9, 3),
    ],
    2022: [
        D(2022, 1, 3),
        D(2022, 1, 31),
        D(2022, 2, 1),
        D(2022, 2, 2),
        D(2022, 2, 3),
        D(2022, 2, 4),
        D(2022, 4, 11),
        D(2022, 5, 2),
        D(2022, 5, 3),
        D(2022, 9, 1),
        D(2022, 9, 2),
    ],
    2023: [
        D(2023, 1, 2),
        D(2023, 1, 20),
        D(2023, 1, 23),
        D(2023, 1, 24),
        D(2023, 1, 25),
        D(2023, 1, 26),
        D(2023, 5, 1),
        D(2023, 5, 2),
        D(2023, 5, 3),
        D(2023, 9, 1),
        D(2023, 9, 4),
    ],
    2024: [
        D(2024, 1, 1),
        D(2024, 2, 8),
        D(2024, 2, 9),
        D(2024, 2, 12),
        D(2024, 2, 13),
        D(2024, 2, 14),
        D(2024, 4, 18),
        D(2024, 4, 29),
        D(2024, 4, 30),
        D(2024, 5, 1),
        D(2024, 9, 2),
        D(2024, 9, 3),
    ],
}
# Saturdays worked in exchange for a weekday off (none in the other years).
MAKE_UP_DAYS = {
    2015: [D(2015, 2, 14), D(2015, 4, 25)],
    2019: [D(2019, 1, 5), D(2019, 5, 4)],
    2024: [D(2024, 5, 4)],
}


def weekend_days_worked(calendar: WorkingCalendar, year: int) -> list[date]:
    first = date(year, 1, 1)
    every = (first + timedelta(days=n) for n in range((date(year, 12, 31) - first).days + 1))
    return [day for day in every if day.weekday() >= 5 and calendar.is_working_day(day)]


@pytest.mark.parametrize("year", sorted(WEEKDAYS_OFF))
def test_a_past_year_gives_exactly_its_official_weekdays_off(
    calendar: WorkingCalendar, year: int
) -> None:
    off = calendar.days_off(date(year, 1, 1), date(year, 12, 31))
    assert [day for day in off if day.weekday() < 5] == WEEKDAYS_OFF[year]


@pytest.mark.parametrize("year", sorted(WEEKDAYS_OFF))
def test_a_past_year_works_exactly_its_make_up_days(calendar: WorkingCalendar, year: int) -> None:
    assert weekend_days_worked(calendar, year) == MAKE_UP_DAYS.get(year, [])


def test_every_year_the_calendar_covers_up_to_2026_ships_its_decision() -> None:
    assert SHIPPED_YEARS[0] == COVERED_YEARS.first == 2015
    assert set(range(2015, 2027)) <= set(SHIPPED_YEARS)
    for year in range(2015, 2025):
        assert "http" in load_shipped_decision(year).source


def test_a_make_up_day_of_the_previous_year_is_kept_in_the_decision() -> None:
    decision = load_shipped_decision(2015)
    assert date(2014, 12, 27) in decision.working_dates  # for Friday 02/01/2015
    assert date(2018, 12, 31) in load_shipped_decision(2019).dates_off


def test_national_day_is_one_day_until_2020_and_two_from_2021() -> None:
    assert statutory_rule(2020) == "Labor Code 2012 Art. 115"
    assert statutory_rule(2021) == "Labor Code 2019 Art. 112"
    in_2020 = {holiday.day for holiday in statutory_holidays(2020)}
    assert date(2020, 9, 2) in in_2020
    assert {date(2020, 9, 1), date(2020, 9, 3)}.isdisjoint(in_2020)
    in_2021 = {holiday.day for holiday in statutory_holidays(2021)}
    assert {date(2021, 9, 2), date(2021, 9, 3)} <= in_2021


def test_tet_is_five_statutory_days_in_both_codes() -> None:
    tet_2019 = [
        h.day for h in statutory_holidays(2019) if date(2019, 2, 1) <= h.day < date(2019, 3, 1)
    ]
    assert tet_2019 == [date(2019, 2, d) for d in range(4, 9)]
    tet_2021 = [
        h.day for h in statutory_holidays(2021) if date(2021, 2, 1) <= h.day < date(2021, 3, 1)
    ]
    assert len(tet_2021) == 7  # five days, two of them on the weekend and given after


def test_a_time_before_the_covered_years_is_refused_naming_them(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.years == (2015, 2035)
    assert calendar.is_working_day(date(2015, 1, 5))
    with pytest.raises(
        CalendarRangeError, match="2014-12-31 is outside the calendar's years 2015–2035"
    ):
        calendar.position(datetime(2014, 12, 31, 9, tzinfo=vietnam_time_zone()))
