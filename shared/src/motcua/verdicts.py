"""Early / on time / late, and where an open dossier stands: one rule for every service.

A finished dossier or step gets a **verdict** against its due time (brief, decision 2):

* ``WORKING_DAY`` granularity (default): finished on an earlier local day than the due
  day is early, on the due day on time, on a later day late (days in Asia/Ho_Chi_Minh).
* ``EXACT`` granularity: finished after the due instant is late; on an earlier day than
  the due day early; otherwise (the due day, at or before the due instant) on time. Both
  share "early" so that the two only disagree on late.

An open dossier has a **standing** at an instant ``now``, by the same rule: it is
*overdue* exactly when finishing at ``now`` would be late, so a dossier is never shown
overdue at a moment when finishing would still be on time. Before that it is *within
deadline*, or *due soon* on its due day or once officials were warned about this due
time. Without a due time (none set yet, or the clock paused for a supplement) it is
within deadline.

The day figures of the indicators count a dossier as it stands at the **close** of a
local day (``overdue_on``): by working day the same answer as at any instant of that day.

Tracking's overdue *alert* is a different thing: a warning to officials that the
appointment time has passed, fired at the due instant (plus a grace), possibly on the
due day, while the dossier is still within deadline by working day.

Standard library only, so a service's pure domain may use it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from motcua.clock import VIETNAM
from motcua.vocabulary import Verdict

__all__ = [
    "VIETNAM",
    "Granularity",
    "Standing",
    "first_overdue_day",
    "is_overdue",
    "overdue_on",
    "standing",
    "verdict",
]

"""The zone whose days verdicts compare."""


class Granularity(StrEnum):
    """Whether a verdict compares days or instants (setting ``deadlines.verdict_granularity``)."""

    WORKING_DAY = "working_day"
    EXACT = "exact"


class Standing(StrEnum):
    """Where an open dossier stands against its due time (trong hạn / sắp đến hạn / quá hạn)."""

    WITHIN_DEADLINE = "within_deadline"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def verdict(
    finished_at: datetime,
    due_at: datetime,
    granularity: Granularity = Granularity.WORKING_DAY,
    zone: tzinfo = VIETNAM,
) -> Verdict:
    """The verdict for work finished at ``finished_at`` against a due time."""
    _aware(finished_at, due_at)
    finished_day = finished_at.astimezone(zone).date()
    due_day = due_at.astimezone(zone).date()
    if granularity is Granularity.EXACT and finished_at > due_at:
        return Verdict.LATE
    if finished_day < due_day:
        return Verdict.EARLY
    if finished_day == due_day:
        return Verdict.ON_TIME
    return Verdict.LATE


def is_overdue(
    due_at: datetime | None,
    now: datetime,
    granularity: Granularity = Granularity.WORKING_DAY,
    zone: tzinfo = VIETNAM,
) -> bool:
    """Whether a dossier still open at ``now`` is overdue: finishing now would be late."""
    return due_at is not None and verdict(now, due_at, granularity, zone) is Verdict.LATE


def standing(
    due_at: datetime | None,
    now: datetime,
    granularity: Granularity = Granularity.WORKING_DAY,
    *,
    warned: bool = False,
    zone: tzinfo = VIETNAM,
) -> Standing:
    """An open dossier's standing at ``now``; ``due_at`` None while paused or not set;
    ``warned``: a due-soon or overdue warning for this due time stands."""
    if due_at is None:
        _aware(now)
        return Standing.WITHIN_DEADLINE
    if is_overdue(due_at, now, granularity, zone):
        return Standing.OVERDUE
    if warned or now.astimezone(zone).date() == due_at.astimezone(zone).date():
        return Standing.DUE_SOON
    return Standing.WITHIN_DEADLINE


def first_overdue_day(
    due_at: datetime,
    granularity: Granularity = Granularity.WORKING_DAY,
    zone: tzinfo = VIETNAM,
) -> date:
    """The first local day at whose close a dossier still open is overdue: the day after
    the due day by working day, the due day itself by exact instant."""
    _aware(due_at)
    due_day = due_at.astimezone(zone).date()
    return due_day + timedelta(days=1) if granularity is Granularity.WORKING_DAY else due_day


def overdue_on(
    due_at: datetime | None,
    day: date,
    granularity: Granularity = Granularity.WORKING_DAY,
    zone: tzinfo = VIETNAM,
) -> bool:
    """Whether a dossier still open at the close of the local ``day`` is overdue then."""
    return due_at is not None and first_overdue_day(due_at, granularity, zone) <= day


def _aware(*instants: datetime) -> None:
    if any(instant.tzinfo is None for instant in instants):
        raise ValueError("verdicts need zone-aware instants")
