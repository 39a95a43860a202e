"""Where the service learns the time: injected at wiring, so tests can fix it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

__all__ = ["Clock"]


class Clock(Protocol):
    """Gives the current, timezone-aware time."""

    def now(self) -> datetime: ...
