"""When to try a temporarily failed message again: exponential backoff with jitter."""

from dataclasses import dataclass

__all__ = ["RetryPolicy", "attempts_left", "retry_delay"]


@dataclass(frozen=True)
class RetryPolicy:
    """Delays double from `initial` up to `maximum`; `max_attempts` sends in all (the
    defaults live in the service's `DispatchSettings` alone)."""

    max_attempts: int
    initial: float
    maximum: float


def retry_delay(
    policy: RetryPolicy, attempt: int, jitter: float, retry_after: float | None = None
) -> float:
    """Return the seconds to wait after the `attempt`-th send failed (attempts count from 1).

    `jitter` is a number in [0, 1) the caller draws; the delay is spread over the upper
    half of the backoff step ("equal jitter"), so senders that failed together do not
    retry together yet still back off. A provider's Retry-After is honoured when longer.
    """
    step: float = min(policy.initial * 2 ** max(attempt - 1, 0), policy.maximum)
    delay: float = step / 2 + step / 2 * jitter
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.maximum))
    return delay


def attempts_left(policy: RetryPolicy, attempt: int) -> bool:
    """Tell whether another send may follow the `attempt`-th one."""
    return attempt < policy.max_attempts
