"""A dossier's clock: supplement pauses and the one-time re-appointment after an apology.

The clock keeps its history and computes two times against a calendar, so a new
calendar can recompute them:
- the statutory appointment (`due`): the procedure's limit from the reception with the
  supplement pauses applied (policy pause or restart). Verdicts and overdue alerts are
  taken against it; an apology never moves it (brief, decision 5);
- the re-appointment (`promised`): the new appointment an accepted apology promised,
  moved later by pauses that follow it, a separate promise kept or broken.
Every change is applied as "a time may only move later": resuming after a supplement
and re-appointing never shorten either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from motcua_tracking.domain.calendar import WorkingCalendar
from motcua_tracking.domain.deadlines import ProcedureTerms, appointment

__all__ = [
    "ApologyRejected",
    "ClockError",
    "DossierClock",
    "Reappointment",
    "SupplementPolicy",
    "Suspension",
]


class SupplementPolicy(StrEnum):
    """What a supplement request does to the clock.

    PAUSE: the office time between request and receipt is not counted, so the due time
    moves later by that much. RESTART: the full period starts again from the receipt of
    the complete dossier (Decree 61/2018 Art. 19(4)).
    """

    PAUSE = "pause"
    RESTART = "restart"


class ClockError(ValueError):
    """An operation does not fit the clock's state (e.g. resuming a running clock)."""


@dataclass(frozen=True)
class Suspension:
    """A supplement request and, once it arrives, the receipt of the complete dossier."""

    requested_at: datetime
    resumed_at: datetime | None = None


@dataclass(frozen=True)
class Reappointment:
    """The new appointment set by an accepted apology; late if issued after the old one."""

    due_at: datetime
    issued_at: datetime
    reason: str
    issued_late: bool


@dataclass(frozen=True)
class ApologyRejected:
    """Why an apology's new appointment was not accepted."""

    reason: str


@dataclass(frozen=True)
class DossierClock:
    """Reception, procedure terms, supplement policy and the history that moves the due time."""

    received_at: datetime
    terms: ProcedureTerms
    policy: SupplementPolicy = SupplementPolicy.PAUSE
    suspensions: tuple[Suspension, ...] = ()
    reappointment: Reappointment | None = None

    def __post_init__(self) -> None:
        _require_zone(self.received_at)

    @property
    def is_suspended(self) -> bool:
        """Whether a supplement request is waiting for the citizen."""
        return bool(self.suspensions) and self.suspensions[-1].resumed_at is None

    def suspend(self, requested_at: datetime) -> DossierClock:
        """The clock after a supplement request at `requested_at`."""
        _require_zone(requested_at)
        if self.is_suspended:
            raise ClockError("a supplement request is already pending")
        if requested_at < self._last_event_at():
            raise ClockError("a supplement request cannot precede the clock's last event")
        return replace(self, suspensions=(*self.suspensions, Suspension(requested_at)))

    def resume(self, resumed_at: datetime) -> DossierClock:
        """The clock after the complete dossier arrived at `resumed_at`."""
        _require_zone(resumed_at)
        if not self.is_suspended:
            raise ClockError("no supplement request is pending")
        pending = self.suspensions[-1]
        if resumed_at < pending.requested_at:
            raise ClockError("the supplement cannot arrive before it was requested")
        done = replace(pending, resumed_at=resumed_at)
        return replace(self, suspensions=(*self.suspensions[:-1], done))

    def due(self, calendar: WorkingCalendar) -> datetime | None:
        """The statutory appointment with the pauses applied, or None while one is pending."""
        return self._due(calendar, with_reappointment=False)

    def promised(self, calendar: WorkingCalendar) -> datetime | None:
        """The re-appointment with later pauses applied; None without one or while paused."""
        if self.reappointment is None:
            return None
        return self._due(calendar, with_reappointment=True)

    def reappoint(
        self, calendar: WorkingCalendar, due_at: datetime, issued_at: datetime, reason: str
    ) -> DossierClock | ApologyRejected:
        """The clock with an apology's new appointment, or why it is rejected.

        Accepted once; an apology issued after the statutory appointment passed is
        accepted and flagged late.
        """
        _require_zone(due_at)
        _require_zone(issued_at)
        current = self.due(calendar)
        rejection = self._rejection(current, due_at, issued_at, reason)
        if rejection is not None:
            return rejection
        assert current is not None
        late = issued_at > current
        return replace(self, reappointment=Reappointment(due_at, issued_at, reason.strip(), late))

    def _rejection(
        self, current: datetime | None, due_at: datetime, issued_at: datetime, reason: str
    ) -> ApologyRejected | None:
        if self.reappointment is not None:
            first = self.reappointment.issued_at.isoformat()
            return ApologyRejected(
                f"the dossier was already re-appointed once (apology of {first}); "
                "a second re-appointment is not allowed"
            )
        if not reason.strip():
            return ApologyRejected("an apology must state the reason for the delay")
        if current is None:
            return ApologyRejected(
                "a supplement request is pending; re-appoint once the complete dossier arrives"
            )
        if issued_at < self.received_at:
            return ApologyRejected("an apology cannot precede the reception of the dossier")
        if due_at <= current:
            return ApologyRejected(
                f"the new appointment {due_at.isoformat()} must be later than the current "
                f"one {current.isoformat()}"
            )
        return None

    def _due(self, calendar: WorkingCalendar, *, with_reappointment: bool) -> datetime | None:
        if self.is_suspended:
            return None
        due = appointment(calendar.at(self.received_at), self.received_at, self.terms)
        for _, event in sorted(self._events(with_reappointment), key=lambda pair: pair[0]):
            due = max(due, self._moved(calendar, due, event))
        return due

    def _events(
        self, with_reappointment: bool
    ) -> list[tuple[datetime, Suspension | Reappointment]]:
        events: list[tuple[datetime, Suspension | Reappointment]] = [
            (item.resumed_at, item) for item in self.suspensions if item.resumed_at is not None
        ]
        if with_reappointment and self.reappointment is not None:
            events.append((self.reappointment.issued_at, self.reappointment))
        return events

    def _moved(
        self, calendar: WorkingCalendar, due: datetime, event: Suspension | Reappointment
    ) -> datetime:
        if isinstance(event, Reappointment):
            return event.due_at
        assert event.resumed_at is not None
        # Counted on the hours in force when the dossier came back (after a merge, the
        # absorbing agency's); the appointment computed before stays where it was.
        calendar = calendar.at(event.resumed_at)
        if self.policy is SupplementPolicy.RESTART:
            return appointment(calendar, event.resumed_at, self.terms)
        paused = calendar.position(event.resumed_at) - calendar.position(event.requested_at)
        return calendar.instant(calendar.position(due) + paused)

    def _last_event_at(self) -> datetime:
        moments = [self.received_at]
        for item in self.suspensions:
            moments.append(item.requested_at)
            if item.resumed_at is not None:
                moments.append(item.resumed_at)
        return max(moments)


def _require_zone(at: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError(f"{at.isoformat()} has no time zone; instants must be zone-aware")
