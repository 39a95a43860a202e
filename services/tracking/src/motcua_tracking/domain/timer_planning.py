"""Which alert timers an open dossier needs, and when each of them fires.

- The statutory appointment (supplement pauses applied; none while a supplement is
  awaited) gets a due-soon warning (`warning_at`), an overdue notice at the appointment
  and one warning per extra share of the time (`Rules.due_soon_shares`). Its window
  counts from the reception (cut-off applied) or, when a supplement restarts the
  clock, from the last supplement's arrival.
- An apology's re-appointment gets a notice for when it passes with the dossier open.
- The current step, when it has an allotment and a due time, gets the same alerts as
  the appointment, counted from its start (step 1: from the dossier's counting start).

Each window's instants are computed on the calendar in force when the window started,
so a calendar merge never moves an instant already given. The dossier keeps the timers
it was given and re-plans them after each event (`reconcile`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from motcua_tracking.domain.alerts import elapsed_share_at, warning_at
from motcua_tracking.domain.calendar import WorkingCalendar
from motcua_tracking.domain.clocks import DossierClock, SupplementPolicy
from motcua_tracking.domain.timers import Scope, Timer, TimerKind

__all__ = ["alert_timers", "dossier_timers", "step_timers", "warning_window_start"]


def dossier_timers(
    calendar: WorkingCalendar,
    shares: tuple[Decimal, ...],
    clock: DossierClock,
    counting_from: datetime,
) -> list[Timer]:
    """The dossier-level timers: the appointment's alerts, then the re-appointment's notice."""
    wanted: list[Timer] = []
    due = clock.due(calendar)
    if due is not None:
        start = warning_window_start(calendar, clock, counting_from)
        wanted += alert_timers(calendar, shares, "dossier", 0, start, due)
    promise = clock.promised(calendar)
    if promise is not None:
        kind = TimerKind.REAPPOINTMENT_OVERDUE
        wanted.append(Timer("dossier", kind, 0, 0, promise, promise))
    return wanted


def step_timers(
    calendar: WorkingCalendar,
    shares: tuple[Decimal, ...],
    seq: int,
    started_at: datetime,
    due: datetime,
    counting_from: datetime,
) -> list[Timer]:
    """A step's alerts for its due time; step 1 counts from the dossier's counting start."""
    start = counting_from if seq == 1 else started_at
    return alert_timers(calendar, shares, "step", seq, start, due)


def warning_window_start(
    calendar: WorkingCalendar, clock: DossierClock, counting_from: datetime
) -> datetime:
    """Where the appointment's warnings count from: the counting start, or the counting
    start after the last supplement when the supplement policy restarts the clock."""
    resumed = [item.resumed_at for item in clock.suspensions if item.resumed_at]
    if clock.policy is SupplementPolicy.RESTART and resumed:
        return calendar.at(resumed[-1]).counting_start(resumed[-1], clock.terms.cutoff)
    return counting_from


def alert_timers(
    calendar: WorkingCalendar,
    shares: tuple[Decimal, ...],
    scope: Scope,
    seq: int,
    start: datetime,
    due: datetime,
) -> list[Timer]:
    """Due soon, overdue and one timer per share of the time from `start` to `due`."""
    calendar = calendar.at(start)  # the hours in force when the period started
    timers = [
        Timer(scope, TimerKind.DUE_SOON, seq, 0, due, warning_at(calendar, start, due)),
        Timer(scope, TimerKind.OVERDUE, seq, 0, due, due),
    ]
    for share in shares:
        percent = int(share * 100)
        fire_at = elapsed_share_at(calendar, start, due, share)
        timers.append(Timer(scope, TimerKind.SHARE, seq, percent, due, fire_at))
    return timers
