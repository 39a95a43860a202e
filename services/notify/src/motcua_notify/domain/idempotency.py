"""Keys that make a send idempotent across redeliveries of the same event."""

import hashlib

from motcua_notify.domain.messages import Channel, MessageType

__all__ = ["idempotency_key"]

_KEY_VERSION = "notify.v1"
_SEPARATOR = "\x1f"


def idempotency_key(
    dossier_code: str,
    source_event_id: str,
    recipient: str,
    channel: Channel,
    message_type: MessageType,
) -> str:
    """Return a stable sha256 hex key for one message to one recipient on one channel.

    The recipient must already be normalised (see `contacts`), so "0912..." and
    "+84912..." give the same key. The unit separator keeps fields from running
    into each other ("a|bc" and "ab|c" differ).
    """
    parts = (_KEY_VERSION, dossier_code, source_event_id, recipient, channel, message_type)
    return hashlib.sha256(_SEPARATOR.join(parts).encode("utf-8")).hexdigest()
