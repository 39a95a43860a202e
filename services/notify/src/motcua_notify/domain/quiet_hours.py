"""Quiet hours: citizens get no text messages at night."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from motcua.clock import VIETNAM
from motcua_notify.domain.local_time import to_local

__all__ = ["QuietHours", "earliest_send_time"]


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in local time, during which citizen SMS wait.

    `start` is inclusive and `end` exclusive: with the default 21:00–07:00 a text
    due at 21:00 waits, one due at 07:00 goes out. A window with `start > end`
    crosses midnight; `start == end` means no quiet hours at all.
    """

    start: time = time(21, 0)
    end: time = time(7, 0)
    zone: tzinfo = VIETNAM

    def contains(self, local: time) -> bool:
        """Tell whether a local wall-clock time falls inside the window."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def earliest_send_time(now: datetime, quiet: QuietHours | None = None) -> datetime:
    """Return the instant a citizen SMS may go out: `now`, or the end of the quiet window."""
    quiet = quiet or QuietHours()
    local = to_local(now).astimezone(quiet.zone)
    if not quiet.contains(local.time()):
        return now
    end_day = local.date()
    if local.time() >= quiet.end:
        end_day += timedelta(days=1)
    return datetime.combine(end_day, quiet.end, tzinfo=quiet.zone)
