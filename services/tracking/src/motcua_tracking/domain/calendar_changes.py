"""What a calendar change (a new or amended yearly decision) does to open deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from motcua_tracking.domain.calendar import WorkingCalendar
from motcua_tracking.domain.clocks import DossierClock

__all__ = ["DeadlineChange", "OpenDeadline", "changed_days", "changed_deadlines"]


@dataclass(frozen=True)
class OpenDeadline:
    """An open dossier's clock, keyed by its dossier code."""

    key: str
    clock: DossierClock


@dataclass(frozen=True)
class DeadlineChange:
    """A dossier whose due time differs under the new calendar (None: clock suspended)."""

    key: str
    old_due: datetime | None
    new_due: datetime | None


def changed_days(
    old: WorkingCalendar, new: WorkingCalendar, first: date, last: date
) -> tuple[date, ...]:
    """Days from `first` to `last` that are working days in one calendar only."""
    old_off = set(old.days_off(first, last))
    new_off = set(new.days_off(first, last))
    return tuple(sorted(old_off ^ new_off))


def changed_deadlines(
    old: WorkingCalendar, new: WorkingCalendar, open_deadlines: Iterable[OpenDeadline]
) -> tuple[DeadlineChange, ...]:
    """The open deadlines whose due time moves, with their old and new due times."""
    changes: list[DeadlineChange] = []
    for item in open_deadlines:
        before = item.clock.due(old)
        after = item.clock.due(new)
        if before != after:
            changes.append(DeadlineChange(item.key, before, after))
    return tuple(changes)
