"""A message ready for a channel, and what a channel reports back."""

from dataclasses import dataclass

from motcua_notify.domain.content import MessageContent
from motcua_notify.domain.messages import Channel, MessageType

__all__ = [
    "Accepted",
    "Delivered",
    "OutboundMessage",
    "PermanentFailure",
    "SendResult",
    "TemporaryFailure",
]


@dataclass(frozen=True)
class OutboundMessage:
    """One rendered message to one normalised address on one channel."""

    idempotency_key: str
    dossier_code: str
    message_type: MessageType
    channel: Channel
    recipient: str
    content: MessageContent
    template_version: int


@dataclass(frozen=True)
class Delivered:
    """The recipient's system confirmed receipt (e.g. a webhook answered 2xx)."""


@dataclass(frozen=True)
class Accepted:
    """A provider took the message; a delivery receipt may follow."""

    provider_message_id: str


@dataclass(frozen=True)
class TemporaryFailure:
    """Worth retrying, after `retry_after` seconds when the provider said so."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True)
class PermanentFailure:
    """Retrying the same message will not help."""

    reason: str


SendResult = Delivered | Accepted | TemporaryFailure | PermanentFailure
