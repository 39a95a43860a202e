"""Rendered content as it is kept in the delivery log (JSON), and back."""

from collections.abc import Mapping
from typing import Any

from motcua_notify.domain.content import (
    EmailContent,
    MessageContent,
    SmsContent,
    WebhookContent,
    ZnsContent,
)
from motcua_notify.domain.messages import Channel

__all__ = ["content_from_json", "content_to_json"]


def content_to_json(content: MessageContent) -> dict[str, Any]:
    """Return a JSON-ready dict holding everything needed to send the content again."""
    match content:
        case EmailContent():
            return {"subject": content.subject, "html": content.html, "text": content.text}
        case SmsContent():
            return {"text": content.text}
        case ZnsContent():
            return {"template_id": content.template_id, "params": dict(content.params)}
        case WebhookContent():
            return {"payload": dict(content.payload)}


def content_from_json(channel: Channel, stored: Mapping[str, Any]) -> MessageContent:
    """Rebuild the content of a channel from its stored form."""
    match channel:
        case Channel.EMAIL:
            return EmailContent(stored["subject"], stored["html"], stored["text"])
        case Channel.SMS:
            return SmsContent(stored["text"])
        case Channel.ZALO:
            return ZnsContent(stored["template_id"], dict(stored["params"]))
        case Channel.WEBHOOK:
            return WebhookContent(dict(stored["payload"]))
