"""An agency's working calendar: working days, office hours and office time.

Office time is measured as a *position*: seconds of office time elapsed since the opening
of the calendar's first working day (a fraction of a second rounds up). Adding working
time is integer addition on positions; converting between positions and wall-clock
instants is a table lookup. Day tables are built once per (year range, decisions) and
hour tables once per office hours, and shared by every calendar using them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

from motcua.calendar_years import COVERED_YEARS
from motcua.clock import VIETNAM
from motcua_tracking.domain.year_decisions import (
    YearDecision,
    load_shipped_decisions,
    replace_year,
)

__all__ = [
    "CalendarRangeError",
    "Holiday",
    "MergedCalendar",
    "OfficeHours",
    "WorkingCalendar",
    "build_calendar",
    "seconds_of",
    "statutory_holidays",
    "statutory_rule",
    "vietnam_time_zone",
]

_SECONDS_PER_DAY = 86_400
# The library also lists yearly swapped days (they belong to the year's decision) and
# 24/11, whose legal force is not established; neither is part of Labor Code Art. 112.
_NOT_IN_ARTICLE_112 = ("Day off (substituted", "Vietnam Cultural Day")
_DEFAULT_PERIODS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
_DEFAULT_CUTOFF = time(15, 0)
# Labor Code 2019 (Art. 112) replaced Labor Code 2012 (Art. 115) on 1 January 2021.
_LABOR_CODE_2019_FROM = 2021


class CalendarRangeError(ValueError):
    """An instant or day falls outside the years the calendar was built for."""


@cache
def vietnam_time_zone() -> ZoneInfo:
    """The zone all calendar reasoning uses (Asia/Ho_Chi_Minh)."""
    return VIETNAM


def seconds_of(moment: time) -> int:
    """Seconds since midnight of a wall-clock time (a fraction of a second rounds up)."""
    seconds = (moment.hour * 60 + moment.minute) * 60 + moment.second
    return seconds + (moment.microsecond > 0)


@dataclass(frozen=True)
class Holiday:
    """A statutory day off and its name(s)."""

    day: date
    name: str


def statutory_rule(year: int) -> str:
    """The article that sets the public holidays of `year`.

    Until 2020, Labor Code 2012 Art. 115: Tết five days, National Day 2/9 one day. From
    2021, Labor Code 2019 Art. 112: the same, but National Day is 2/9 and a day next to
    it. Both move a holiday falling on a weekly rest day to the next working day.
    """
    if year < _LABOR_CODE_2019_FROM:
        return "Labor Code 2012 Art. 115"
    return "Labor Code 2019 Art. 112"


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> tuple[Holiday, ...]:
    """The statutory holidays of `year` under the code then in force (`statutory_rule`),
    with the compensatory days for those falling on a weekly rest day.

    Taken from the holidays library's Vietnam calendar, which follows each Labor Code in
    its years (one National Day before 2021, two from 2021), computes the lunar dates and
    moves a holiday falling on a weekly rest day to the next working day.
    """
    source = holidays.country_holidays("VN", years=year, language="en_US")
    found: list[Holiday] = []
    for day in sorted(source):
        names = [name for name in source.get_list(day) if not name.startswith(_NOT_IN_ARTICLE_112)]
        if names:
            found.append(Holiday(day, "; ".join(names)))
    return tuple(found)


@dataclass(frozen=True)
class OfficeHours:
    """Daily office periods of an agency and its late-day cut-off (None: no cut-off)."""

    periods: tuple[tuple[time, time], ...] = _DEFAULT_PERIODS
    cutoff: time | None = _DEFAULT_CUTOFF

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("office hours need at least one period")
        previous_end = time.min
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office periods are local wall-clock times without a zone")
            if start.microsecond or end.microsecond:
                raise ValueError("office periods are given to the second")
            if not start < end:
                raise ValueError(f"office period {start}–{end}: the start must precede the end")
            if start < previous_end:
                raise ValueError("office periods must be in order and must not overlap")
            previous_end = end

    @property
    def day_length(self) -> timedelta:
        """Office time of one working day."""
        return timedelta(
            seconds=sum(seconds_of(end) - seconds_of(start) for start, end in self.periods)
        )


@dataclass(frozen=True)
class _DayTable:
    first_ordinal: int
    ordinals: tuple[int, ...]
    next_index: tuple[int, ...]
    midnights: tuple[datetime, ...]


@lru_cache(maxsize=32)
def _day_table(first_year: int, last_year: int, decisions: tuple[YearDecision, ...]) -> _DayTable:
    days_off = {
        holiday.day
        for year in range(first_year, last_year + 1)
        for holiday in statutory_holidays(year)
    }
    worked: set[date] = set()
    for decision in decisions:
        days_off |= decision.dates_off
        worked |= decision.working_dates
    first = date(first_year, 1, 1).toordinal()
    ordinals: list[int] = []
    next_index: list[int] = []
    for ordinal in range(first, date(last_year, 12, 31).toordinal() + 1):
        next_index.append(len(ordinals))
        day = date.fromordinal(ordinal)
        if day in worked or (day.weekday() < 5 and day not in days_off):
            ordinals.append(ordinal)
    zone = vietnam_time_zone()
    midnights = tuple(datetime.combine(date.fromordinal(o), time(), zone) for o in ordinals)
    return _DayTable(first, tuple(ordinals), tuple(next_index), midnights)


@dataclass(frozen=True)
class _HourTable:
    day: int
    # office offset reached at each second of the day (0..86400)
    offset_at: tuple[int, ...]
    # wall-clock time of each office offset (0..day), a boundary shown as a period's end
    wall_at: tuple[timedelta, ...]
    # wall-clock time of the offsets where a period opens after a break
    openings: dict[int, timedelta]


@lru_cache(maxsize=64)
def _hour_table(hours: OfficeHours) -> _HourTable:
    periods = [(seconds_of(start), seconds_of(end)) for start, end in hours.periods]
    offset_at: list[int] = []
    elapsed = 0
    bounds = iter(periods)
    start, end = next(bounds)
    for second in range(_SECONDS_PER_DAY + 1):
        if second >= end:
            elapsed += end - start
            start, end = next(bounds, (_SECONDS_PER_DAY + 1, _SECONDS_PER_DAY + 1))
        offset_at.append(elapsed + max(0, second - start))
    wall_at = [timedelta(seconds=periods[0][0])]
    openings: dict[int, timedelta] = {}
    for start, end in periods:
        if wall_at[-1] != timedelta(seconds=start):
            openings[len(wall_at) - 1] = timedelta(seconds=start)
        wall_at.extend(timedelta(seconds=second) for second in range(start + 1, end + 1))
    return _HourTable(len(wall_at) - 1, tuple(offset_at), tuple(wall_at), openings)


class WorkingCalendar:
    """Working days and office hours of one agency over a range of years."""

    __slots__ = (
        "_cutoff",
        "_day",
        "_decisions",
        "_first_ordinal",
        "_first_year",
        "_hours",
        "_last_year",
        "_midnights",
        "_next_index",
        "_offset_at",
        "_openings",
        "_ordinals",
        "_wall_at",
        "_zone",
    )

    def __init__(
        self,
        hours: OfficeHours | None = None,
        decisions: Iterable[YearDecision] = (),
        *,
        first_year: int = COVERED_YEARS.first,
        last_year: int = COVERED_YEARS.last,
    ) -> None:
        if first_year > last_year:
            raise ValueError(f"first_year {first_year} is after last_year {last_year}")
        self._hours = hours or OfficeHours()
        self._decisions = tuple(sorted(decisions, key=lambda item: item.year))
        self._first_year = first_year
        self._last_year = last_year
        days = _day_table(first_year, last_year, self._decisions)
        self._first_ordinal = days.first_ordinal
        self._ordinals = days.ordinals
        self._next_index = days.next_index
        self._midnights = days.midnights
        hour_table = _hour_table(self._hours)
        self._day = hour_table.day
        self._offset_at = hour_table.offset_at
        self._wall_at = hour_table.wall_at
        self._openings = hour_table.openings
        cutoff = self._hours.cutoff
        self._cutoff = _SECONDS_PER_DAY if cutoff is None else seconds_of(cutoff)
        self._zone = vietnam_time_zone()

    @property
    def hours(self) -> OfficeHours:
        """The agency's office hours."""
        return self._hours

    @property
    def decisions(self) -> tuple[YearDecision, ...]:
        """The yearly decisions applied on top of the statutory holidays."""
        return self._decisions

    @property
    def years(self) -> tuple[int, int]:
        """First and last year the calendar covers."""
        return self._first_year, self._last_year

    @property
    def time_zone(self) -> ZoneInfo:
        """The zone of every instant the calendar returns."""
        return self._zone

    @property
    def day_seconds(self) -> int:
        """Office time of one working day, in seconds."""
        return self._day

    def at(self, instant: datetime) -> WorkingCalendar:
        """The calendar whose office hours and cut-off apply to work from `instant`.

        A deadline is computed on the calendar in force at the instant it counts from
        (a reception, a handover, a resumption); an agency that was never merged has
        one calendar throughout (see `MergedCalendar`)."""
        return self

    def office_days_between(self, start: datetime, end: datetime) -> float:
        """Office time from `start` to `end` in working days (negative if `end` is earlier)."""
        return (self.position(end) - self.position(start)) / self._day

    def with_decision(self, decision: YearDecision) -> WorkingCalendar:
        """A calendar where `decision` replaces any decision of the same year."""
        decisions = replace_year(self._decisions, decision)
        return WorkingCalendar(
            self._hours, decisions, first_year=self._first_year, last_year=self._last_year
        )

    def with_hours(self, hours: OfficeHours) -> WorkingCalendar:
        """The same days with other office hours (another agency)."""
        return WorkingCalendar(
            hours, self._decisions, first_year=self._first_year, last_year=self._last_year
        )

    def local(self, at: datetime) -> datetime:
        """`at` in Asia/Ho_Chi_Minh; naive datetimes are refused."""
        zone = at.tzinfo
        if zone is self._zone:
            return at
        if zone is None:
            raise ValueError(f"{at.isoformat()} has no time zone; instants must be zone-aware")
        return at.astimezone(self._zone)

    def is_working_day(self, day: date) -> bool:
        """Whether offices are open on `day`."""
        ordinal = day.toordinal()
        index = self._index_on_or_after(ordinal)
        return index < len(self._ordinals) and self._ordinals[index] == ordinal

    def days_off(self, first: date, last: date) -> tuple[date, ...]:
        """Every non-working day from `first` to `last` inclusive, weekends included."""
        count = (last - first).days + 1
        every = (first + timedelta(days=offset) for offset in range(count))
        return tuple(day for day in every if not self.is_working_day(day))

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        index = self._index_on_or_after(day.toordinal() + 1)
        return date.fromordinal(self._ordinal_at(index))

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        index = self._index_on_or_after(day.toordinal()) - 1
        return date.fromordinal(self._ordinal_at(index))

    def opening(self, day: date) -> datetime:
        """Opening instant of the working day `day`."""
        return self.instant(self._working_index(day) * self._day, at_opening=True)

    def closing(self, day: date) -> datetime:
        """Closing instant of the working day `day`."""
        return self.instant((self._working_index(day) + 1) * self._day)

    def position(self, at: datetime) -> int:
        """Office time elapsed at `at`; outside office hours, that of the next opening."""
        return self._position(at, _SECONDS_PER_DAY)

    def start_position(self, received_at: datetime, cutoff: time | None = None) -> int:
        """Position where counting starts for a reception (cut-off None: the agency's).

        After the cut-off, on a day off or after closing: the next working day's opening;
        before opening: the day's opening; during a break: the end of the break.
        """
        limit = self._cutoff if cutoff is None else seconds_of(cutoff)
        return self._position(received_at, limit)

    def counting_start(self, received_at: datetime, cutoff: time | None = None) -> datetime:
        """The instant counting starts for a reception (see start_position)."""
        return self.instant(self.start_position(received_at, cutoff), at_opening=True)

    def day_end_position(self, position: int) -> int:
        """Closing position of the working day a position belongs to.

        A position on a day boundary belongs to the day that opens there.
        """
        return (position // self._day + 1) * self._day

    def instant(self, position: int, *, at_opening: bool = False) -> datetime:
        """Wall-clock instant of a position.

        A position on a boundary between office periods is shown as the end of the
        earlier period (the moment the time is used up), or with `at_opening` as the
        start of the later one.
        """
        index, offset = divmod(position, self._day)
        if at_opening:
            if offset in self._openings:
                return self._midnight(index) + self._openings[offset]
        elif offset == 0 and index > 0:
            index -= 1
            offset = self._day
        return self._midnight(index) + self._wall_at[offset]

    def office_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time from `start` to `end` (negative when `end` precedes `start`)."""
        return timedelta(seconds=self.position(end) - self.position(start))

    def add_office_time(self, at: datetime, duration: timedelta) -> datetime:
        """The instant `duration` of office time after `at` (the next opening for zero)."""
        seconds = math.ceil(duration.total_seconds())
        return self.instant(self.position(at) + seconds, at_opening=seconds == 0)

    def _position(self, at: datetime, cutoff: int) -> int:
        zone = at.tzinfo
        if zone is not self._zone:
            at = self.local(at)
        offset = at.toordinal() - self._first_ordinal
        if not 0 <= offset < len(self._next_index):
            raise self._range_error(at.date())
        index = self._next_index[offset]
        if index >= len(self._ordinals):
            raise self._range_error(at.date())
        if self._ordinals[index] != offset + self._first_ordinal:
            return index * self._day
        second = at.hour * 3600 + at.minute * 60 + at.second + (at.microsecond > 0)
        if second > cutoff:
            return (index + 1) * self._day
        return index * self._day + self._offset_at[second]

    def _midnight(self, index: int) -> datetime:
        if not 0 <= index < len(self._midnights):
            raise CalendarRangeError(
                f"the result falls outside the calendar's years {self._first_year}–"
                f"{self._last_year}"
            )
        return self._midnights[index]

    def _index_on_or_after(self, ordinal: int) -> int:
        offset = ordinal - self._first_ordinal
        if not 0 <= offset < len(self._next_index):
            raise self._range_error(date.fromordinal(max(ordinal, 1)))
        return self._next_index[offset]

    def _ordinal_at(self, index: int) -> int:
        if not 0 <= index < len(self._ordinals):
            raise CalendarRangeError(
                f"no such working day within the calendar's years {self._first_year}–"
                f"{self._last_year}"
            )
        return self._ordinals[index]

    def _working_index(self, day: date) -> int:
        if not self.is_working_day(day):
            raise ValueError(f"{day.isoformat()} is not a working day")
        return self._index_on_or_after(day.toordinal())

    def _range_error(self, day: date) -> CalendarRangeError:
        return CalendarRangeError(
            f"{day.isoformat()} is outside the calendar's years {self._first_year}–"
            f"{self._last_year}"
        )


class MergedCalendar(WorkingCalendar):
    """The calendar of an absorbed agency's dossiers: the earlier calendar before `since`
    (local midnight of the merge date), the absorbing agency's from then on.

    Used as a plain calendar it is the absorbing agency's; `at` picks the one in force at
    an instant, so deadlines computed from before the merge (the appointment promised at
    reception, steps begun earlier) keep the absorbed agency's hours and those computed
    from it on (later steps, resumptions) take the absorbing one's. `before` may itself
    be merged (an agency absorbed by one later absorbed in turn).
    """

    __slots__ = ("_before", "_since")

    def __init__(self, before: WorkingCalendar, after: WorkingCalendar, since: datetime) -> None:
        first, last = after.years
        super().__init__(after.hours, after.decisions, first_year=first, last_year=last)
        if since.tzinfo is None:
            raise ValueError(f"{since.isoformat()} has no time zone; instants must be zone-aware")
        self._before = before
        self._since = since

    @property
    def since(self) -> datetime:
        """The instant the absorbing agency's hours start to apply."""
        return self._since

    def at(self, instant: datetime) -> WorkingCalendar:
        """The absorbed agency's calendar before the merge, this one from it on."""
        return self if instant >= self._since else self._before.at(instant)

    def office_days_between(self, start: datetime, end: datetime) -> float:
        """Working days on the earlier hours up to the merge, on the absorbing one's after."""
        if end < start:
            return -self.office_days_between(end, start)
        if end <= self._since:
            return self._before.office_days_between(start, end)
        if start >= self._since:
            return super().office_days_between(start, end)
        return self._before.office_days_between(start, self._since) + (
            super().office_days_between(self._since, end)
        )


def build_calendar(
    hours: OfficeHours | None = None,
    decisions: Iterable[YearDecision] | None = None,
    *,
    first_year: int = COVERED_YEARS.first,
    last_year: int = COVERED_YEARS.last,
) -> WorkingCalendar:
    """A calendar with the given decisions, or the decisions shipped with the service."""
    if decisions is None:
        decisions = load_shipped_decisions()
    return WorkingCalendar(hours, decisions, first_year=first_year, last_year=last_year)
