"""Checks on times reported by counters and portals, and the local calendar date."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from motcua.calendar_years import COVERED_YEARS
from motcua.clock import VIETNAM as VIETNAM_TZ
from motcua_intake.domain.validation import Checked, ErrorCode, Invalid, Valid

__all__ = [
    "DEFAULT_CLOCK_SKEW",
    "EARLIEST",
    "VIETNAM_TZ",
    "check_reported_time",
    "event_day",
    "is_aware",
    "local_date",
]

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
# Nothing earlier than the working calendar's first year can be tracked or counted.
EARLIEST = COVERED_YEARS.start


def is_aware(moment: datetime) -> bool:
    """Whether `moment` carries a usable UTC offset."""
    return moment.tzinfo is not None and moment.utcoffset() is not None


def local_date(moment: datetime) -> date:
    """The calendar date of an aware `moment` in Vietnam (Asia/Ho_Chi_Minh)."""
    if not is_aware(moment):
        raise ValueError("local_date needs a timezone-aware datetime")
    return moment.astimezone(VIETNAM_TZ).date()


def event_day(reported: datetime, now: datetime) -> date:
    """The day a reported time is judged on: its own (history is judged at its own
    time), or today's when it is refused anyway (no zone, too early, still to come)."""
    if is_aware(reported) and EARLIEST <= reported <= now:
        return local_date(reported)
    return local_date(now)


def check_reported_time(
    reported: datetime, now: datetime, skew: timedelta = DEFAULT_CLOCK_SKEW
) -> Checked[datetime]:
    """Accept a reported time if it is aware, within the calendar's years (Vietnam
    time) and not later than `now` plus `skew`: a time of any past year is history, and
    only the genuinely future is refused."""
    if not is_aware(now):
        raise ValueError("now must be timezone-aware")
    if skew < timedelta(0):
        raise ValueError("skew must not be negative")
    if not is_aware(reported):
        return Invalid(
            ErrorCode.TIME_WITHOUT_TIMEZONE,
            f"time {reported.isoformat()} has no timezone; send an offset such as +07:00",
        )
    if reported < EARLIEST:
        return Invalid(
            ErrorCode.TIME_TOO_EARLY,
            f"time {reported.isoformat()} is before {EARLIEST.date().isoformat()}: the "
            f"working calendar covers the years {COVERED_YEARS}",
        )
    if reported > now + skew:
        return Invalid(
            ErrorCode.TIME_IN_FUTURE,
            f"time {reported.isoformat()} is later than now ({now.isoformat()}) "
            f"by more than the allowed {skew}",
        )
    return Valid(reported)
