"""Instants at which a dossier becomes due soon or overdue."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, Decimal

from motcua_tracking.domain.calendar import WorkingCalendar

__all__ = ["due_soon_at", "elapsed_share_at", "overdue_at", "warning_at"]


def due_soon_at(calendar: WorkingCalendar, due_at: datetime) -> datetime:
    """Opening of the last working day before the appointment day.

    An unfinished dossier at that instant needs an apology and a new appointment. It
    may precede the reception for short limits; the caller then warns at once.
    """
    due_day = calendar.local(due_at).date()
    return calendar.opening(calendar.previous_working_day(due_day))


def elapsed_share_at(
    calendar: WorkingCalendar, start_at: datetime, due_at: datetime, share: Decimal
) -> datetime:
    """The instant when `share` (0–1) of the office time from start to due has elapsed."""
    if not Decimal(0) <= share <= Decimal(1):
        raise ValueError(f"the share of elapsed time must be between 0 and 1, got {share}")
    start = calendar.position(start_at)
    span = calendar.position(due_at) - start
    offset = int((share * span).to_integral_value(rounding=ROUND_CEILING))
    return calendar.instant(start + offset, at_opening=offset == 0)


def overdue_at(due_at: datetime) -> datetime:
    """The instant a dossier becomes overdue: its appointment."""
    return due_at


def warning_at(calendar: WorkingCalendar, start_at: datetime, due_at: datetime) -> datetime:
    """When a due-soon warning fires for a period counted from `start_at`.

    The opening of the last working day before the due day; for limits of about one
    day or less that instant does not come after the start, and the warning fires when
    half the office time from start to due has elapsed instead.
    """
    soon = due_soon_at(calendar, due_at)
    if soon > start_at:
        return soon
    return elapsed_share_at(calendar, start_at, due_at, Decimal("0.5"))
