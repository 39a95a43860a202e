"""SMS through an HTTP gateway (brandname SMS providers expose this shape)."""

from dataclasses import dataclass

from motcua.http import GatewayAnswer, GatewayClient
from motcua_notify.adapters.channels.http_outcomes import (
    DEFAULT_TIMEOUT,
    failure_for_status,
    log_result,
    send_json,
)
from motcua_notify.domain import messages
from motcua_notify.domain.content import SmsContent
from motcua_notify.domain.outbound import Accepted, OutboundMessage, PermanentFailure, SendResult

__all__ = ["HttpSmsChannel"]


@dataclass
class HttpSmsChannel:
    """POSTs {to, text, encoding, client_ref} to `<base_url>/sms` with an API key header.

    A 2xx answer must carry {"message_id": ...}. A 2xx whose body cannot be read is a
    permanent "gateway_garbage": the gateway may or may not have queued the text, and
    a blind retry risks a duplicate SMS to the citizen, so an operator looks at it
    instead. `client_ref` is the idempotency key, for gateways that deduplicate.
    """

    client: GatewayClient
    base_url: str
    api_key: str
    api_key_header: str = "X-Api-Key"
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> messages.Channel:
        """This is the SMS channel."""
        return messages.Channel.SMS

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one SMS; see the class docstring for how answers map to results."""
        return log_result(message, await self._send(message))

    async def _send(self, message: OutboundMessage) -> SendResult:
        if not isinstance(message.content, SmsContent):
            return PermanentFailure("wrong_content")
        body = {
            "to": message.recipient,
            "text": message.content.text,
            "encoding": str(message.content.encoding),
            "client_ref": message.idempotency_key,
        }
        url = f"{self.base_url.rstrip('/')}/sms"
        headers = {self.api_key_header: self.api_key}
        response = await send_json(self.client, url, body, headers, self.timeout)
        if not isinstance(response, GatewayAnswer):
            return response
        return failure_for_status(response) or _accepted(response)


def _accepted(response: GatewayAnswer) -> SendResult:
    try:
        message_id = response.json()["message_id"]
    except (ValueError, KeyError, TypeError):
        return PermanentFailure("gateway_garbage")
    if not isinstance(message_id, str | int) or message_id == "":
        return PermanentFailure("gateway_garbage")
    return Accepted(str(message_id))
