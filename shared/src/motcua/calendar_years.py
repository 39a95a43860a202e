"""The years the working calendar covers: one range for every service that judges time.

Tracking builds its working calendar over these years (each year's government decision
is shipped from 2015), intake refuses a time before the first of them, and scoring
leaves out a dossier received outside them, so that no service counts what tracking
cannot track. Provinces keep dossier data from 2018 onwards; 2015 leaves room for
older archives.

Standard library only, so a service's pure domain may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from motcua.clock import VIETNAM as _VIETNAM

__all__ = ["COVERED_YEARS", "CalendarYears"]


@dataclass(frozen=True, slots=True)
class CalendarYears:
    """A range of whole years, first and last included."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"first year {self.first} is after last year {self.last}")

    def covers(self, moment: date | datetime) -> bool:
        """Whether a day, or an aware instant's day in Vietnam, falls within the years."""
        if isinstance(moment, datetime):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"{moment.isoformat()} has no time zone")
            moment = moment.astimezone(_VIETNAM).date()
        return self.first <= moment.year <= self.last

    @property
    def start(self) -> datetime:
        """Midnight of 1 January of the first year, in Vietnam."""
        return datetime(self.first, 1, 1, tzinfo=_VIETNAM)

    def __str__(self) -> str:
        return f"{self.first}–{self.last}"


COVERED_YEARS = CalendarYears(2015, 2035)
"""The years of the shipped working calendar."""
