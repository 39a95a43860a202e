"""Alert timers of a dossier: when a warning or an overdue notice is owed, and for which due time.

A timer belongs to one due time: when the due time moves, the pending timer is cancelled
and a new one planned, so each (scope, kind, step, share, due, fire) fires at most once.
A fired timer keeps the alerts published for it (`sent`), so an alert proven wrong by
a late-arriving event can be withdrawn by its event id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

__all__ = ["Scope", "SentAlert", "Timer", "TimerKey", "TimerKind", "reconcile"]

Scope = Literal["dossier", "step"]


class TimerKind(StrEnum):
    """What a timer announces (REAPPOINTMENT_OVERDUE: a re-appointment passed, unfinished)."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    SHARE = "share"
    REAPPOINTMENT_OVERDUE = "reappointment_overdue"


TimerKey = tuple[str, str, int, int, datetime, datetime]


@dataclass(frozen=True)
class SentAlert:
    """An alert published for a fired timer: its event type and id, and whom it named."""

    alert_type: str
    event_id: str
    unit_code: str
    step_code: str | None = None


@dataclass
class Timer:
    """A planned alert; `stored_id` is set once persisted, `fired_at` once fired."""

    scope: Scope
    kind: TimerKind
    step_seq: int
    share_percent: int
    due_at: datetime
    fire_at: datetime
    fired_at: datetime | None = None
    stored_id: int | None = None
    cancelled: bool = False
    changed: bool = False
    sent: list[SentAlert] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        """Planned and neither fired nor cancelled."""
        return self.fired_at is None and not self.cancelled

    @property
    def key(self) -> TimerKey:
        """What makes two timers the same alert."""
        return (self.scope, self.kind, self.step_seq, self.share_percent, self.due_at, self.fire_at)

    def fire(self, now: datetime) -> None:
        """Mark fired at `now` (the processing instant)."""
        self.fired_at = now
        self.changed = True


def reconcile(timers: list[Timer], wanted: list[Timer]) -> list[Timer]:
    """Timers after re-planning: pending ones no longer wanted are cancelled, new ones added.

    A wanted timer that already fired is not planned again. Cancelled timers that were
    never stored are dropped; stored ones stay (cancelled) so storage can delete them.
    """
    wanted_keys = {timer.key for timer in wanted}
    for timer in timers:
        if timer.pending and timer.key not in wanted_keys:
            timer.cancelled = True
    known = {timer.key for timer in timers if not timer.cancelled}
    kept = [timer for timer in timers if not (timer.cancelled and timer.stored_id is None)]
    return kept + [timer for timer in wanted if timer.key not in known]
