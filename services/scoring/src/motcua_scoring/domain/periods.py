"""Reporting periods (day, month, quarter, year, date range) in Vietnam local dates.

Vietnam has kept UTC+07:00 without daylight saving since 1975, so the local zone
(Asia/Ho_Chi_Minh) is a fixed offset here; that keeps the domain free of zone-database
reads. A period covers whole local days: it starts at local midnight of its first day
and ends, exclusive, at local midnight after its last day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

from motcua.clock import VIETNAM

__all__ = [
    "CALENDAR_KINDS",
    "LOCAL_TZ",
    "Period",
    "PeriodKind",
    "calendar_keys",
    "calendar_periods_of",
    "cover",
    "cover_keys",
    "day_period",
    "local_date",
    "local_midnight",
    "month_period",
    "parse_period",
    "periods_of",
    "quarter_period",
    "range_period",
    "week_period",
    "year_period",
]

LOCAL_TZ = VIETNAM
"""Periods are local days, months, quarters and years (`motcua.clock.VIETNAM`)."""

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodKind(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


CALENDAR_KINDS = (PeriodKind.DAY, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)


@dataclass(frozen=True, order=True)
class Period:
    """A run of whole local days, ``first`` to ``last`` inclusive."""

    first: date
    last: date
    kind: PeriodKind

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"period ends before it starts: {self.first}..{self.last}")
        if self.kind is not PeriodKind.RANGE and _bounds(self.kind, self.first) != (
            self.first,
            self.last,
        ):
            raise ValueError(f"{self.first}..{self.last} is not a calendar {self.kind}")

    @property
    def key(self) -> str:
        """The period's key: 2026-11-21, 2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-21."""
        first = self.first
        match self.kind:
            case PeriodKind.DAY:
                return first.isoformat()
            case PeriodKind.MONTH:
                return f"{first.year:04d}-{first.month:02d}"
            case PeriodKind.QUARTER:
                return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
            case PeriodKind.YEAR:
                return f"{first.year:04d}"
            case PeriodKind.RANGE:
                return f"{first.isoformat()}..{self.last.isoformat()}"

    @property
    def start(self) -> datetime:
        """Local midnight at the beginning of the first day (inclusive)."""
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """Local midnight after the last day (exclusive)."""
        return local_midnight(self.last + timedelta(days=1))

    def contains(self, instant: datetime) -> bool:
        """Whether an aware instant falls in the period, judged by its local date."""
        return self.contains_day(local_date(instant))

    def contains_day(self, day: date) -> bool:
        """Whether a local date is one of the period's days."""
        return self.first <= day <= self.last


def local_date(instant: datetime) -> date:
    """The Vietnam local date of an aware instant."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(LOCAL_TZ).date()


def local_midnight(day: date) -> datetime:
    """The aware instant at which a local date begins."""
    return datetime.combine(day, time(0), LOCAL_TZ)


def day_period(day: date) -> Period:
    """The one-day period of a local date."""
    return Period(day, day, PeriodKind.DAY)


def month_period(year: int, month: int) -> Period:
    """A calendar month."""
    return _calendar(PeriodKind.MONTH, date(year, month, 1))


def quarter_period(year: int, quarter: int) -> Period:
    """A calendar quarter, 1 to 4."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"no quarter {quarter}")
    return _calendar(PeriodKind.QUARTER, date(year, 3 * quarter - 2, 1))


def year_period(year: int) -> Period:
    """A calendar year."""
    return _calendar(PeriodKind.YEAR, date(year, 1, 1))


def week_period(year: int, week: int) -> Period:
    """An ISO week (Monday to Sunday) as a range: weeks are not tiled by the counters."""
    monday = date.fromisocalendar(year, week, 1)
    return range_period(monday, monday + timedelta(days=6))


def range_period(first: date, last: date) -> Period:
    """An arbitrary run of local days, both ends inclusive."""
    return Period(first, last, PeriodKind.RANGE)


def parse_period(key: str) -> Period:
    """The period a key names (an ISO week `2026-W47` is its Monday-to-Sunday range);
    raises ValueError for anything else."""
    if ".." in key:
        first, _, last = key.partition("..")
        return range_period(date.fromisoformat(first), date.fromisoformat(last))
    if match := _DAY.match(key):
        return day_period(date.fromisoformat(key))
    if match := _MONTH.match(key):
        return month_period(int(match[1]), int(match[2]))
    if match := _QUARTER.match(key):
        return quarter_period(int(match[1]), int(match[2]))
    if match := _YEAR.match(key):
        return year_period(int(match[1]))
    if match := _WEEK.match(key):
        return week_period(int(match[1]), int(match[2]))
    raise ValueError(f"not a period key: {key!r}")


def calendar_periods_of(day: date) -> tuple[Period, Period, Period, Period]:
    """The day, month, quarter and year a local date belongs to."""
    return (
        day_period(day),
        _calendar(PeriodKind.MONTH, day),
        _calendar(PeriodKind.QUARTER, day),
        _calendar(PeriodKind.YEAR, day),
    )


@lru_cache(maxsize=16_384)
def calendar_keys(day: date) -> tuple[str, str, str, str]:
    """The keys of the day, month, quarter and year a local date belongs to."""
    day_, month, quarter, year = calendar_periods_of(day)
    return day_.key, month.key, quarter.key, year.key


def periods_of(instant: datetime) -> tuple[Period, Period, Period, Period]:
    """The day, month, quarter and year an aware instant belongs to (local dates)."""
    return calendar_periods_of(local_date(instant))


@lru_cache(maxsize=16_384)
def cover(first: date, last: date) -> tuple[Period, ...]:
    """The fewest whole years, quarters, months and days that tile ``first..last``."""
    tiles: list[Period] = []
    day = first
    while day <= last:
        tile = _largest_tile(day, last)
        tiles.append(tile)
        day = tile.last + timedelta(days=1)
    return tuple(tiles)


@lru_cache(maxsize=16_384)
def cover_keys(first: date, last: date) -> tuple[str, ...]:
    """The keys of ``cover(first, last)``."""
    return tuple(tile.key for tile in cover(first, last))


def _largest_tile(day: date, last: date) -> Period:
    for kind in (PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH):
        tile = _calendar(kind, day)
        if tile.first == day and tile.last <= last:
            return tile
    return day_period(day)


def _calendar(kind: PeriodKind, day: date) -> Period:
    first, last = _bounds(kind, day)
    return Period(first, last, kind)


def _bounds(kind: PeriodKind, day: date) -> tuple[date, date]:
    match kind:
        case PeriodKind.DAY:
            return day, day
        case PeriodKind.MONTH:
            return day.replace(day=1), _month_end(day.year, day.month)
        case PeriodKind.QUARTER:
            first_month = 3 * ((day.month - 1) // 3) + 1
            return date(day.year, first_month, 1), _month_end(day.year, first_month + 2)
        case PeriodKind.YEAR:
            return date(day.year, 1, 1), date(day.year, 12, 31)
        case PeriodKind.RANGE:
            raise ValueError("a range is not a calendar period")


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)
