"""How late a step is, in working days, as officials read it in an overdue alert."""

from datetime import datetime, timedelta

from motcua_notify.domain.local_time import to_local

__all__ = ["overdue_working_days"]


def overdue_working_days(due_at: datetime, now: datetime) -> int:
    """Return the whole Monday-to-Friday days passed since the due time, in local time.

    Notify has no holiday calendar (tracking owns it), so holidays count as working
    days here; the figure is only shown to officials, never used for a verdict.
    """
    due, current = to_local(due_at), to_local(now)
    if current <= due:
        return 0
    days = 0
    cursor = due + timedelta(days=1)
    while cursor <= current:
        if cursor.weekday() < 5:
            days += 1
        cursor += timedelta(days=1)
    return days
