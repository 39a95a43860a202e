"""What a send's result means for the delivery log: the next status, and when to retry."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from motcua_notify.domain.outbound import (
    Accepted,
    Delivered,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)
from motcua_notify.domain.quiet_hours import QuietHours, earliest_send_time
from motcua_notify.domain.retry import RetryPolicy, attempts_left, retry_delay

__all__ = ["FINAL", "Decision", "Status", "decide"]


class Status(StrEnum):
    """The life of a row of the delivery log."""

    PENDING = "pending"
    SENDING = "sending"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    FAILED = "failed"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"
    """Never sent: the alert it carried was withdrawn, or the applicant it was for was
    erased, before it went out."""


FINAL = frozenset(
    {Status.ACCEPTED, Status.DELIVERED, Status.FAILED, Status.SKIPPED, Status.WITHDRAWN}
)


@dataclass(frozen=True)
class Decision:
    """The row's next state after one send."""

    status: Status
    reason: str | None = None
    provider_message_id: str | None = None
    not_before: datetime | None = None

    @property
    def retried(self) -> bool:
        """Whether the message goes back to the queue for another try."""
        return self.status is Status.PENDING

    @property
    def sent(self) -> bool:
        """Whether the gateway took the message."""
        return self.status in (Status.ACCEPTED, Status.DELIVERED)


def decide(
    result: SendResult,
    attempt: int,
    now: datetime,
    policy: RetryPolicy,
    jitter: float,
    quiet: QuietHours | None = None,
) -> Decision:
    """Map a channel's answer to the next state; `quiet` delays a citizen SMS retry to morning."""
    match result:
        case Delivered():
            return Decision(Status.DELIVERED)
        case Accepted(provider_message_id=message_id):
            return Decision(Status.ACCEPTED, provider_message_id=message_id)
        case PermanentFailure(reason=reason):
            return Decision(Status.FAILED, reason)
        case TemporaryFailure(reason=reason, retry_after=retry_after):
            if not attempts_left(policy, attempt):
                return Decision(Status.FAILED, reason)
            delay = retry_delay(policy, attempt, jitter, retry_after)
            at = now + timedelta(seconds=delay)
            if quiet is not None:
                at = earliest_send_time(at, quiet)
            return Decision(Status.PENDING, reason, not_before=at)
