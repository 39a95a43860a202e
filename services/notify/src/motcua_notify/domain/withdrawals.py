"""Withdrawn alerts: which message carried an alert, and what a withdrawal came to.

Tracking withdraws an alert (due soon, overdue, apology required, escalation) when an
event that happened before it, but arrived after it, shows it was wrong (brief,
decision 9). Notify never sends a withdrawn alert, and whoever it already reached
gets a short correction on the same channel (its wording: `domain.wording`).
"""

from enum import StrEnum

from motcua_notify.domain.messages import MessageType

__all__ = [
    "ALERT_MESSAGES",
    "WITHDRAWN_REASON",
    "WithdrawalOutcome",
    "outcome_of",
]

ALERT_MESSAGES: dict[str, MessageType] = {
    "tracking.due-soon": MessageType.DUE_SOON,
    "tracking.overdue": MessageType.OVERDUE,
    "tracking.apology-required": MessageType.APOLOGY_REQUIRED,
    "tracking.escalated": MessageType.ESCALATION,
}
"""The message notify writes for each kind of alert tracking publishes."""

WITHDRAWN_REASON = "alert_withdrawn"
"""The delivery log's reason on a message never sent because its alert was withdrawn."""


class WithdrawalOutcome(StrEnum):
    """What a withdrawal found in the delivery log."""

    CORRECTED = "corrected"
    """The alert reached someone: a correction goes to each recipient."""
    CANCELLED = "cancelled"
    """The alert had not gone out yet: it never will."""
    BEFORE_ALERT = "before_alert"
    """The alert had not arrived yet: it will be recorded as withdrawn and never sent."""


def outcome_of(told: int, cancelled: int) -> WithdrawalOutcome:
    """How a withdrawal ended, from the recipients told and the messages stopped."""
    if told:
        return WithdrawalOutcome.CORRECTED
    if cancelled:
        return WithdrawalOutcome.CANCELLED
    return WithdrawalOutcome.BEFORE_ALERT
