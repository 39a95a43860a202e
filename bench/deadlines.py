"""Deadline computations per second: position arithmetic against a day-by-day walk.

Run: uv run --frozen python -m bench deadlines
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from bench.report import write_section
from motcua_tracking.domain.calendar import WorkingCalendar, build_calendar, vietnam_time_zone
from motcua_tracking.domain.deadlines import (
    ProcedureTerms,
    ProcessingTime,
    TimeUnit,
    appointment,
)

TARGET = 200_000
SAMPLE = 200_000
NAIVE_SAMPLE = 20_000
ROUNDS = 5
LIMITS = (
    *(ProcessingTime.working_days(n) for n in (1, 2, 3, 5, 7, 10, 15, 20, 30)),
    ProcessingTime.working_days("0.5"),
    ProcessingTime.working_hours(4),
    ProcessingTime.within_day(),
)

Case = tuple[datetime, ProcedureTerms]


def cases(count: int, seed: int = 7) -> list[Case]:
    rng = random.Random(seed)
    zone = vietnam_time_zone()
    first = datetime(2025, 1, 1, tzinfo=zone)
    terms = [ProcedureTerms(f"P{n}", limit) for n, limit in enumerate(LIMITS)]
    minutes = 2 * 365 * 24 * 60 - 60 * 24 * 60
    return [
        (first + timedelta(minutes=rng.randrange(minutes)), rng.choice(terms)) for _ in range(count)
    ]


class DayByDay:
    """The naive baseline: walks day by day and period by period."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.days_off = frozenset(calendar.days_off(date(2024, 1, 1), date(2030, 12, 31)))
        self.periods = calendar.hours.periods
        self.cutoff = calendar.hours.cutoff or time.max
        self.zone = calendar.time_zone

    def appointment(self, received: datetime, terms: ProcedureTerms) -> datetime:
        local = received.astimezone(self.zone)
        day, at = local.date(), local.time()
        if day in self.days_off or at > self.cutoff:
            day, at = self.next_day(day), time(0)
        limit = terms.processing_time
        if limit.unit is TimeUnit.WITHIN_DAY:
            return datetime.combine(day, self.periods[-1][1], self.zone)
        per_unit = 8 * 3600 if limit.unit is TimeUnit.WORKING_DAYS else 3600
        remaining = timedelta(seconds=int(limit.amount * Decimal(per_unit)))
        while True:
            for start, end in self.periods:
                begin = max(start, at)
                if begin >= end:
                    continue
                available = datetime.combine(day, end) - datetime.combine(day, begin)
                if remaining <= available:
                    return datetime.combine(day, begin, self.zone) + remaining
                remaining -= available
            day, at = self.next_day(day), time(0)

    def next_day(self, day: date) -> date:
        day += timedelta(days=1)
        while day in self.days_off:
            day += timedelta(days=1)
        return day


def rate(compute: Callable[[datetime, ProcedureTerms], datetime], sample: Sequence[Case]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = clock.perf_counter()
        for received, terms in sample:
            compute(received, terms)
        best = min(best, clock.perf_counter() - started)
    return len(sample) / best


def main(argv: list[str] | None = None) -> None:
    calendar = build_calendar()
    naive = DayByDay(calendar)
    sample = cases(SAMPLE)
    in_utc = [(received.astimezone(UTC), terms) for received, terms in sample]
    mismatches = sum(
        appointment(calendar, received, terms) != naive.appointment(received, terms)
        for received, terms in sample[:NAIVE_SAMPLE]
    )

    fast = partial(appointment, calendar)
    rows = [
        ("position arithmetic (receptions in +07:00)", len(sample), rate(fast, sample)),
        ("position arithmetic (receptions in UTC)", len(in_utc), rate(fast, in_utc)),
        ("naive day-by-day loop", NAIVE_SAMPLE, rate(naive.appointment, sample[:NAIVE_SAMPLE])),
    ]
    ratio = rows[0][2] / rows[2][2]
    verdict = "met" if rows[0][2] >= TARGET else "NOT met"
    lines = [
        "## Deadline engine (issue: tracking)",
        "",
        "`uv run python -m bench deadlines`: appointment from a reception time and a limit"
        " (0.5 to 30 working days, hours, within the day) on the 2025–2026 calendar, one core,"
        f" best of {ROUNDS} rounds. Target ≥ {TARGET:,}/s.",
        "",
        "| implementation | computations per round | computations/s |",
        "|---|---:|---:|",
        *(f"| {name} | {count:,} | {per_second:,.0f} |" for name, count, per_second in rows),
        "",
        f"Speed-up over the day-by-day loop (the baseline): {ratio:.1f}×; target {verdict}.",
        f"Results differing from the day-by-day loop: {mismatches} of {NAIVE_SAMPLE:,}.",
    ]
    print("\n".join(lines))
    write_section("deadlines", "\n".join(lines))


if __name__ == "__main__":
    main()
