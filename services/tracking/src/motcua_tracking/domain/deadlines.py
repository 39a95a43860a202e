"""Deadline engine: appointments and per-step due times from procedure terms.

Rules:
- A limit of N working days is N × (office time of a day) added to the counting start;
  half days and working hours use the same arithmetic. "Within the day" ends at the
  close of the working day counting starts on.
- Steps run in order: a step's due time is the previous step's due time plus its
  allotment; the first step counts from the counting start.
- A reception after the cut-off counts from the next working day's opening. A procedure
  without a cut-off has `NO_CUTOFF`: its reception counts from its own instant (the
  next opening if outside office hours); terms with `cutoff=None` take the agency's.
- A step entered by a handover counts from the handover instant (the next opening if
  outside office hours). The late-day cut-off applies to receptions only, never to
  internal handovers. A handover re-plans the current and later steps; the dossier's
  appointment is untouched (only an apology changes it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from motcua_tracking.domain.calendar import WorkingCalendar

__all__ = [
    "NO_CUTOFF",
    "AllotmentError",
    "ProcedureTerms",
    "ProcessingTime",
    "StepAllotment",
    "StepDue",
    "TimeUnit",
    "allocate",
    "allotted_total",
    "appointment",
    "end_position",
    "replan_after_handover",
    "step_due_after_handover",
    "step_due_times",
    "validate_allotments",
]

_SECONDS_PER_HOUR = 3_600

NO_CUTOFF = time.max
"""The cut-off of a procedure that has none: no reception of the day is after it."""


class TimeUnit(StrEnum):
    """How a processing time is expressed."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    WITHIN_DAY = "within_day"


class AllotmentError(ValueError):
    """Step allotments do not add up to the procedure's processing time."""


@dataclass(frozen=True)
class ProcessingTime:
    """A time limit; the amount is ignored for "within the day"."""

    unit: TimeUnit
    amount: Decimal = Decimal(0)
    _ratio: tuple[int, int] = field(init=False, repr=False, compare=False)
    _seconds: dict[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", TimeUnit(self.unit))
        amount = Decimal(self.amount)
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"a processing time must be a finite amount ≥ 0, got {amount}")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "_ratio", amount.as_integer_ratio())
        object.__setattr__(self, "_seconds", {})

    @classmethod
    def working_days(cls, amount: Decimal | int | str) -> ProcessingTime:
        """N working days (0.5 is half a day)."""
        return cls(TimeUnit.WORKING_DAYS, Decimal(amount))

    @classmethod
    def working_hours(cls, amount: Decimal | int | str) -> ProcessingTime:
        """N working hours."""
        return cls(TimeUnit.WORKING_HOURS, Decimal(amount))

    @classmethod
    def within_day(cls) -> ProcessingTime:
        """Due at the close of the working day counting starts on."""
        return cls(TimeUnit.WITHIN_DAY)

    def office_seconds(self, day_seconds: int) -> int:
        """Office time of a day or hour limit in seconds (rounded up)."""
        seconds = self._seconds.get(day_seconds)
        if seconds is None:
            seconds = self._seconds[day_seconds] = self._office_seconds(day_seconds)
        return seconds

    def _office_seconds(self, day_seconds: int) -> int:
        numerator, denominator = self._ratio
        if self.unit is TimeUnit.WORKING_DAYS:
            return -(-numerator * day_seconds // denominator)
        if self.unit is TimeUnit.WORKING_HOURS:
            return -(-numerator * _SECONDS_PER_HOUR // denominator)
        raise ValueError("'within the day' has no fixed length of office time")


@dataclass(frozen=True)
class StepAllotment:
    """A step of the internal process, the unit role doing it and its allotted time."""

    code: str
    name: str
    unit_role: str
    allotted: ProcessingTime


@dataclass(frozen=True)
class ProcedureTerms:
    """A procedure's processing time, internal steps and cut-off (None: the agency's)."""

    code: str
    processing_time: ProcessingTime
    steps: tuple[StepAllotment, ...] = ()
    cutoff: time | None = None


@dataclass(frozen=True)
class StepDue:
    """When a step starts counting and when it is due."""

    code: str
    unit_role: str
    starts_at: datetime
    due_at: datetime


def end_position(calendar: WorkingCalendar, start: int, limit: ProcessingTime) -> int:
    """Position where `limit` runs out when counted from position `start`."""
    if limit.unit is TimeUnit.WITHIN_DAY:
        return calendar.day_end_position(start)
    return start + limit.office_seconds(calendar.day_seconds)


def appointment(
    calendar: WorkingCalendar, received_at: datetime, terms: ProcedureTerms
) -> datetime:
    """The due time printed on the receipt for a dossier received at `received_at`."""
    start = calendar.start_position(received_at, terms.cutoff)
    return calendar.instant(end_position(calendar, start, terms.processing_time))


def step_due_times(
    calendar: WorkingCalendar, received_at: datetime, terms: ProcedureTerms
) -> tuple[StepDue, ...]:
    """Planned start and due time of every step, chained from the counting start."""
    start = calendar.start_position(received_at, terms.cutoff)
    return _chain(calendar, start, terms.steps)


def replan_after_handover(
    calendar: WorkingCalendar, terms: ProcedureTerms, step_code: str, handed_over_at: datetime
) -> tuple[StepDue, ...]:
    """Due times of the step entered at `handed_over_at` and of the steps after it."""
    codes = [step.code for step in terms.steps]
    if step_code not in codes:
        raise ValueError(f"procedure {terms.code} has no step {step_code!r}")
    remaining = terms.steps[codes.index(step_code) :]
    return _chain(calendar, calendar.position(handed_over_at), remaining)


def step_due_after_handover(
    calendar: WorkingCalendar, handed_over_at: datetime, allotted: ProcessingTime
) -> datetime:
    """Due time of a step entered at `handed_over_at`: handover plus its allotment."""
    start = calendar.position(handed_over_at)
    return calendar.instant(end_position(calendar, start, allotted))


def allotted_total(steps: Sequence[StepAllotment], day_length: timedelta) -> timedelta:
    """Office time the day and hour allotments of `steps` add up to."""
    day_seconds = _seconds(day_length)
    seconds = sum(
        step.allotted.office_seconds(day_seconds)
        for step in steps
        if step.allotted.unit is not TimeUnit.WITHIN_DAY
    )
    return timedelta(seconds=seconds)


def validate_allotments(terms: ProcedureTerms, day_length: timedelta) -> None:
    """Raise AllotmentError unless the steps use exactly the procedure's time.

    Day and hour limits: the steps must add up to the total, none "within the day".
    "Within the day": the steps may be "within the day" or add up to at most one day.
    """
    if not terms.steps:
        return
    total = terms.processing_time
    summed = allotted_total(terms.steps, day_length)
    in_day = [step.code for step in terms.steps if step.allotted.unit is TimeUnit.WITHIN_DAY]
    if total.unit is TimeUnit.WITHIN_DAY:
        if summed > day_length:
            raise AllotmentError(
                f"procedure {terms.code}: steps add up to {_days(summed, day_length)} working "
                "days, more than its 'within the day' limit"
            )
        return
    if in_day:
        raise AllotmentError(
            f"procedure {terms.code}: step(s) {', '.join(in_day)} are 'within the day' but the "
            "procedure has a fixed limit; give them days or hours"
        )
    expected = timedelta(seconds=total.office_seconds(_seconds(day_length)))
    if summed != expected:
        raise AllotmentError(
            f"procedure {terms.code}: steps add up to {_days(summed, day_length)} working "
            f"days, the procedure allows {_days(expected, day_length)}"
        )


def allocate(
    total: ProcessingTime, weights: Sequence[Decimal | int], quantum: Decimal = Decimal("0.5")
) -> tuple[ProcessingTime, ...]:
    """Split a total across steps in proportion to `weights`, in multiples of `quantum`.

    Largest-remainder rounding; what is left below one quantum goes to the heaviest
    step. The parts always add up exactly to the total.
    """
    if total.unit is TimeUnit.WITHIN_DAY:
        raise ValueError("'within the day' cannot be split; give the steps hours instead")
    shares = [Decimal(weight) for weight in weights]
    if not shares or any(share < 0 for share in shares) or sum(shares) <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    if quantum <= 0:
        raise ValueError("the quantum must be positive")
    quanta = int((total.amount / quantum).to_integral_value(rounding=ROUND_FLOOR))
    exact = [quanta * share / sum(shares) for share in shares]
    counts = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - exact[i], i))
    for index in by_remainder[: quanta - sum(counts)]:
        counts[index] += 1
    amounts = [count * quantum for count in counts]
    heaviest = max(range(len(shares)), key=lambda i: (shares[i], -i))
    amounts[heaviest] += total.amount - quanta * quantum
    return tuple(ProcessingTime(total.unit, amount) for amount in amounts)


def _chain(
    calendar: WorkingCalendar, start: int, steps: Sequence[StepAllotment]
) -> tuple[StepDue, ...]:
    planned: list[StepDue] = []
    for step in steps:
        end = end_position(calendar, start, step.allotted)
        starts_at = calendar.instant(start, at_opening=True)
        planned.append(StepDue(step.code, step.unit_role, starts_at, calendar.instant(end)))
        start = end
    return tuple(planned)


def _seconds(duration: timedelta) -> int:
    return math.ceil(duration.total_seconds())


def _days(duration: timedelta, day_length: timedelta) -> str:
    return f"{(Decimal(_seconds(duration)) / Decimal(_seconds(day_length))).normalize():f}"
