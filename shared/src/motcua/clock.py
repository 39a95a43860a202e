"""Where services get `now` from. Domain code never reads the clock: services pass `now` in.

`simulated` runs time faster from a chosen start (the demo plays a working week in
minutes); every service given the same settings computes the same simulated time,
with no coordination. It is refused when `environment` is `production`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, Field, model_validator

__all__ = [
    "VIETNAM",
    "Clock",
    "ClockSettings",
    "ManualClock",
    "SimulatedClock",
    "SystemClock",
    "clock_speed",
    "make_clock",
]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
"""The zone of every calendar reasoning, office hour and time shown to people; the one
definition every service and the demo import."""


class Clock(Protocol):
    """Tells the current time, timezone-aware."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class SystemClock:
    """The real time (UTC)."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class SimulatedClock:
    """Time starting at `start` at the Unix time `anchor`, running `speed` times faster,
    and standing still at `stop` if one is given (the end of a demo's played period)."""

    def __init__(
        self,
        start: datetime,
        speed: float,
        anchor: float | None = None,
        stop: datetime | None = None,
    ) -> None:
        self._start = start
        self._speed = speed
        self._anchor = time.time() if anchor is None else anchor
        self._stop = stop

    @property
    def speed(self) -> float:
        """Simulated seconds that pass in one real second."""
        return self._speed

    def now(self) -> datetime:
        """The simulated instant."""
        moving = self._start + timedelta(seconds=(time.time() - self._anchor) * self._speed)
        return moving if self._stop is None else min(moving, self._stop)


class ManualClock:
    """A clock a test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """The instant the test set."""
        return self._now

    def set(self, at: datetime) -> None:
        """Jump to an instant."""
        self._now = at

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. `advance(hours=2)`; returns the new instant."""
        self._now += timedelta(**delta)
        return self._now


class ClockSettings(BaseModel):
    """`<SERVICE>_CLOCK__MODE=simulated`, `__START`, `__SPEED`, `__ANCHOR` (Unix time),
    `__STOP` (where simulated time stands still)."""

    mode: Literal["system", "simulated"] = "system"
    start: AwareDatetime | None = None
    stop: AwareDatetime | None = None
    speed: float = Field(default=1.0, gt=0)
    anchor: float | None = None
    environment: Literal["development", "test", "demo", "production"] = "development"

    @model_validator(mode="after")
    def _no_simulation_in_production(self) -> ClockSettings:
        if self.mode == "simulated" and self.environment == "production":
            raise ValueError("a simulated clock is never allowed in production")
        if self.mode == "simulated" and self.start is None:
            raise ValueError("a simulated clock needs a start instant")
        return self


def clock_speed(clock: Clock) -> float:
    """Clock seconds that pass in one real second: a simulated clock's speed, else 1.

    A wait given in real seconds (a grace, a timeout) spans `seconds * clock_speed(clock)`
    of the clock's time.
    """
    return clock.speed if isinstance(clock, SimulatedClock) else 1.0


def make_clock(settings: ClockSettings) -> Clock:
    """The clock the settings ask for."""
    if settings.mode == "simulated" and settings.start is not None:
        return SimulatedClock(settings.start, settings.speed, settings.anchor, settings.stop)
    return SystemClock()
