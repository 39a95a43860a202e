"""What notify publishes (topic `notify.notification-events.v1`); no personal data."""

from __future__ import annotations

from typing import ClassVar, Literal

from motcua.events.envelope import Event
from motcua.events.topics import NOTIFICATION_EVENTS, TopicSpec

__all__ = ["NotificationDelivered", "NotificationFailed"]


class _NotificationEvent(Event):
    topic: ClassVar[TopicSpec] = NOTIFICATION_EVENTS

    notification_id: str
    message_type: str
    channel: Literal["email", "sms", "zalo", "webhook"]
    recipient_kind: Literal["citizen", "official"]


class NotificationDelivered(_NotificationEvent):
    """A message reached its channel's gateway (or was confirmed delivered)."""

    event_type: ClassVar[str] = "notify.delivered"


class NotificationFailed(_NotificationEvent):
    """A message failed for good, with the reason."""

    event_type: ClassVar[str] = "notify.failed"

    reason: str
