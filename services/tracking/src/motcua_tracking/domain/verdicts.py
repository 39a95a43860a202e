"""Early / on time / late verdicts for a dossier or one step of it.

WORKING_DAY granularity (default): finishing on an earlier day than the due day is
early, on the due day on time, on a later day late (days in Asia/Ho_Chi_Minh).
EXACT granularity: finishing after the due instant is late; finishing on an earlier
day than the due day is early; otherwise (the due day, at or before the due instant)
on time. Both use the same "early" so that the two only disagree on late.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from motcua.vocabulary import Verdict
from motcua_tracking.domain.calendar import vietnam_time_zone


class Granularity(StrEnum):
    """Whether a verdict compares days or instants."""

    WORKING_DAY = "working_day"
    EXACT = "exact"


def verdict(
    finished_at: datetime,
    due_at: datetime,
    granularity: Granularity = Granularity.WORKING_DAY,
) -> Verdict:
    """The verdict for work finished at `finished_at` against a due time."""
    if finished_at.tzinfo is None or due_at.tzinfo is None:
        raise ValueError("verdicts need zone-aware instants")
    zone = vietnam_time_zone()
    finished_day = finished_at.astimezone(zone).date()
    due_day = due_at.astimezone(zone).date()
    if granularity is Granularity.EXACT and finished_at > due_at:
        return Verdict.LATE
    if finished_day < due_day:
        return Verdict.EARLY
    if finished_day == due_day:
        return Verdict.ON_TIME
    return Verdict.LATE
