"""A small working-time calculator of the simulator's own.

It is deliberately independent of tracking's calendar, so the cross-service test
compares two implementations: Monday–Friday, 07:30–11:30 and 13:00–17:00, the
procedure's cut-off (15:00 unless the catalogue says otherwise; some certifications
counted in hours have none), and the days off it is told about (the demo weeks have
none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from motcua.clock import VIETNAM

PERIODS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
DAY_SECONDS = 8 * 3600
CUTOFF = time(15, 0)


@dataclass(frozen=True)
class OfficeCalendar:
    """Working days and office hours in Vietnam time."""

    days_off: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a day off."""
        return day.weekday() < 5 and day not in self.days_off

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def opening(self, day: date) -> datetime:
        """Opening time of a day."""
        return datetime.combine(day, PERIODS[0][0], VIETNAM)

    def counting_start(self, received_at: datetime, cutoff: time | None = CUTOFF) -> datetime:
        """Where the clock starts for a reception (cut-off, lunch, outside hours); a
        `cutoff` of None means none."""
        local = received_at.astimezone(VIETNAM)
        day, moment = local.date(), local.time()
        late = cutoff is not None and moment > cutoff
        if not self.is_working_day(day) or late or moment >= PERIODS[1][1]:
            return self.opening(self.next_working_day(day))
        if moment < PERIODS[0][0]:
            return self.opening(day)
        if PERIODS[0][1] <= moment < PERIODS[1][0]:
            return datetime.combine(day, PERIODS[1][0], VIETNAM)
        return local

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """Walk office periods forward from `start` (which must be inside office hours)."""
        local = start.astimezone(VIETNAM)
        day = local.date()
        remaining = seconds
        while True:
            if self.is_working_day(day):
                for begin, end in PERIODS:
                    period_start = datetime.combine(day, begin, VIETNAM)
                    period_end = datetime.combine(day, end, VIETNAM)
                    if period_end <= local:
                        continue
                    cursor = max(local, period_start)
                    available = (period_end - cursor).total_seconds()
                    if remaining <= available:
                        return cursor + timedelta(seconds=remaining)
                    remaining -= available
            day += timedelta(days=1)
            local = self.opening(day)

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Office time between two instants."""
        total, day = 0.0, start.astimezone(VIETNAM).date()
        while day <= end.astimezone(VIETNAM).date():
            if self.is_working_day(day):
                for begin, close in PERIODS:
                    low = max(start, datetime.combine(day, begin, VIETNAM))
                    high = min(end, datetime.combine(day, close, VIETNAM))
                    total += max((high - low).total_seconds(), 0.0)
            day += timedelta(days=1)
        return total

    def appointment(
        self, received_at: datetime, working_days: float, cutoff: time | None = CUTOFF
    ) -> datetime:
        """The due time of a limit in working days (0 means within the day)."""
        start = self.counting_start(received_at, cutoff)
        if working_days == 0:
            return datetime.combine(start.date(), PERIODS[1][1], VIETNAM)
        return self.add_working_seconds(start, working_days * DAY_SECONDS)

    def working_day_of(self, at: datetime) -> date:
        """The local date of an instant."""
        return at.astimezone(VIETNAM).date()
