"""When to try a dossier again: exponential backoff with jitter."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["next_attempt_at"]


def next_attempt_at(
    now: datetime, attempts: int, initial: float, maximum: float, jitter: float
) -> datetime:
    """After `attempts` failures: `initial · 2^(attempts-1)` seconds capped at `maximum`,
    spread between half and all of it by `jitter`, a draw in [0, 1] passed in (so
    dossiers failed together do not come back together)."""
    base = min(initial * 2 ** max(attempts - 1, 0), maximum)
    return now + timedelta(seconds=base * (1 - 0.5 * jitter))
