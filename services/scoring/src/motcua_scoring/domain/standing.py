"""Where an open dossier stands against its statutory appointment: one rule for the
in-progress numbers (the overdue tile, the per-agency table, the gauges) and the state
of each dossier in the open-dossier list, so they always agree.

Verdicts are by working day (brief, decision 2): finishing on the appointment day is on
time, so an open dossier turns overdue on the day after its appointment day. Before
that it is within deadline, as it is when no due time is set yet and while the clock is
paused for a supplement. An apology's new appointment never moves this: it is a promise
counted on its own (brief, decision 5).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from motcua_scoring.domain.periods import local_date

__all__ = ["OpenState", "first_overdue_day", "open_state", "overdue_on"]


class OpenState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OPEN = "open"


def first_overdue_day(due_at: datetime) -> date:
    """The first local day at whose close an unfinished dossier is overdue."""
    return local_date(due_at) + timedelta(days=1)


def overdue_on(due_at: datetime | None, day: date) -> bool:
    """Whether a dossier still open at the close of ``day`` is overdue then."""
    return due_at is not None and first_overdue_day(due_at) <= day


def open_state(due_at: datetime | None, today: date, warned: bool) -> OpenState:
    """An open dossier's state today: overdue by the rule above; due soon on its
    appointment day or once tracking warned about this due time; otherwise open."""
    if overdue_on(due_at, today):
        return OpenState.OVERDUE
    if due_at is not None and (warned or local_date(due_at) == today):
        return OpenState.DUE_SOON
    return OpenState.OPEN
