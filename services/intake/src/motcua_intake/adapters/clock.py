"""The system clock, injected into the service at wiring (tests inject a fixed one)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["SystemClock"]


class SystemClock:
    """The current time, timezone-aware (UTC)."""

    def now(self) -> datetime:
        return datetime.now(UTC)
