"""The kinds of messages the notify service sends and the channels it sends them on."""

from enum import StrEnum

__all__ = ["Audience", "Channel", "MessageType"]


class Audience(StrEnum):
    CITIZEN = "citizen"
    OFFICIAL = "official"


class MessageType(StrEnum):
    RECEIPT = "receipt"
    SUPPLEMENT_REQUEST = "supplement_request"
    REFUSAL = "refusal"
    APOLOGY = "apology"
    STOP_NOTICE = "stop_notice"
    RESULT_READY = "result_ready"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    APOLOGY_REQUIRED = "apology_required"
    ESCALATION = "escalation"
    DAILY_DIGEST = "daily_digest"
    ALERT_WITHDRAWN = "alert_withdrawn"

    @property
    def audience(self) -> Audience:
        """Who reads this kind of message: a citizen or an official."""
        return Audience.CITIZEN if self in _CITIZEN_TYPES else Audience.OFFICIAL


_CITIZEN_TYPES = frozenset(
    {
        MessageType.RECEIPT,
        MessageType.SUPPLEMENT_REQUEST,
        MessageType.REFUSAL,
        MessageType.APOLOGY,
        MessageType.STOP_NOTICE,
        MessageType.RESULT_READY,
    }
)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    ZALO = "zalo"
    WEBHOOK = "webhook"
