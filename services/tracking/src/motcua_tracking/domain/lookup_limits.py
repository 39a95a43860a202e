"""How a citizen's look-up is slowed after wrong answers, without locking the citizen out.

A look-up names a dossier code and the last four digits of the phone given at the
counter. Wrong answers are counted for two subjects: the client (its address) and the
code. Each subject has a few free failures; after those, each further failure makes it
wait twice as long as the one before (from `first_delay` up to `longest_delay`), and
its record is forgotten `forget_after` its last failure.

- A client that has failed too often waits, whatever code it asks for.
- A code under attack slows only clients that have failed themselves: a client with no
  failure of its own is never held up by a code's record, so a stranger's wrong guesses
  cannot keep the real citizen from their dossier. A guesser needs a new address for
  each try beyond the free ones, and each new address fails at most once before the
  code's delay holds it too.

Pure: every function takes `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Failures", "LookupLimits", "after_failure", "wait"]


@dataclass(frozen=True, slots=True)
class LookupLimits:
    """The free failures of one kind of subject and the delays after them."""

    free_failures: int
    first_delay: timedelta
    longest_delay: timedelta
    forget_after: timedelta


@dataclass(frozen=True, slots=True)
class Failures:
    """A subject's recent wrong answers."""

    count: int
    last_at: datetime
    blocked_until: datetime | None


def _current(limits: LookupLimits, record: Failures | None, now: datetime) -> Failures | None:
    if record is None or now - record.last_at >= limits.forget_after:
        return None
    return record


def wait(limits: LookupLimits, record: Failures | None, now: datetime) -> timedelta:
    """How long the subject must wait before its next try (zero: it may try now)."""
    current = _current(limits, record, now)
    if current is None or current.blocked_until is None or current.blocked_until <= now:
        return timedelta(0)
    return current.blocked_until - now


def after_failure(limits: LookupLimits, record: Failures | None, now: datetime) -> Failures:
    """The subject's record after one more wrong answer at `now`."""
    current = _current(limits, record, now)
    count = (current.count if current else 0) + 1
    beyond = count - limits.free_failures
    if beyond <= 0:
        return Failures(count, now, None)
    delay = min(limits.first_delay * 2 ** min(beyond - 1, 30), limits.longest_delay)
    return Failures(count, now, now + delay)
