"""Webhooks to officials' systems, signed so the receiver can trust them."""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from motcua.http import GatewayAnswer, GatewayClient
from motcua_notify.adapters.channels.http_outcomes import (
    DEFAULT_TIMEOUT,
    failure_for_status,
    log_result,
    send_json,
)
from motcua_notify.domain import messages
from motcua_notify.domain.content import WebhookContent
from motcua_notify.domain.outbound import Delivered, OutboundMessage, PermanentFailure, SendResult

__all__ = ["KEY_HEADER", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "WebhookChannel", "signature"]

SIGNATURE_HEADER = "X-Motcua-Signature"
TIMESTAMP_HEADER = "X-Motcua-Timestamp"
KEY_HEADER = "Idempotency-Key"


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """Return "sha256=<hex>" of HMAC-SHA256 over "<timestamp>.<body>"."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


@dataclass
class WebhookChannel:
    """POSTs the JSON payload to the recipient URL; a 2xx answer counts as delivered.

    Headers carry the timestamp, the signature over timestamp and body (so a receiver
    can refuse replays) and the idempotency key.
    """

    client: GatewayClient
    secret: bytes
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> messages.Channel:
        """This is the webhook channel."""
        return messages.Channel.WEBHOOK

    async def send(self, message: OutboundMessage) -> SendResult:
        """POST one signed payload."""
        return log_result(message, await self._send(message))

    async def _send(self, message: OutboundMessage) -> SendResult:
        if not isinstance(message.content, WebhookContent):
            return PermanentFailure("wrong_content")
        body = json.dumps(message.content.payload, ensure_ascii=False).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self.secret, timestamp, body),
            KEY_HEADER: message.idempotency_key,
        }
        response = await send_json(self.client, message.recipient, body, headers, self.timeout)
        if not isinstance(response, GatewayAnswer):
            return response
        return failure_for_status(response) or Delivered()
