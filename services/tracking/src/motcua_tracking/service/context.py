"""What the tracking use cases share, built once by the composition root.

The dossier tracker, the timer loop and the decision loader each receive the same
context rather than reaching through one another for it: the clock that says what time
it is, the calendar book every deadline is computed on, and the stores they read and
write within the caller's transaction (PostgreSQL unless told otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from motcua.clock import Clock
from motcua_tracking.adapters.stores import SqlStores
from motcua_tracking.service.calendars import CalendarBook
from motcua_tracking.service.stores import TrackingStores

__all__ = ["TrackingContext"]


@dataclass(frozen=True)
class TrackingContext:
    """The clock, the calendar book and the stores of one running service."""

    clock: Clock
    calendars: CalendarBook
    stores: TrackingStores = field(default_factory=SqlStores)
