"""Vietnam local time, as citizens and officials read it."""

from datetime import date, datetime

from motcua.clock import VIETNAM

__all__ = ["NaiveDatetimeError", "format_day", "format_local", "iso_format", "to_local"]


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone reached code that needs an instant."""


def to_local(moment: datetime) -> datetime:
    """Convert an aware datetime to Asia/Ho_Chi_Minh; reject naive ones."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment.astimezone(VIETNAM)


def format_local(moment: datetime) -> str:
    """Format an instant as "hh:mm ngày dd/mm/yyyy" in Vietnam time."""
    return to_local(moment).strftime("%H:%M ngày %d/%m/%Y")


def format_day(day: date) -> str:
    """Format a calendar day as "dd/mm/yyyy"."""
    return day.strftime("%d/%m/%Y")


def iso_format(moment: date) -> str:
    """ISO 8601 text of a day, or of an instant in Vietnam time (with its +07:00 offset)."""
    if isinstance(moment, datetime):
        return to_local(moment).isoformat()
    return moment.isoformat()
