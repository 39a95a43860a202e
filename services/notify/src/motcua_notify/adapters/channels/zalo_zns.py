"""Zalo Notification Service (ZNS): a template approved by Zalo, filled with named params."""

from dataclasses import dataclass

from motcua.http import GatewayAnswer, GatewayClient
from motcua_notify.adapters.channels.http_outcomes import (
    DEFAULT_TIMEOUT,
    failure_for_status,
    log_result,
    send_json,
)
from motcua_notify.domain import messages
from motcua_notify.domain.content import ZnsContent
from motcua_notify.domain.outbound import (
    Accepted,
    OutboundMessage,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

__all__ = ["ZALO_API", "ZaloZnsChannel"]

ZALO_API = "https://business.openapi.zalo.me"

# Zalo answers HTTP 200 with {"error": <code>}. Codes -100..-112 follow Zalo's published
# table; -115 (quota) and -124 (access token) are operator problems that a retry after
# they are fixed resolves, so they are temporary. Every other code is permanent.
_TEMPORARY: dict[int, tuple[str, float | None]] = {
    -100: ("zns_unknown_error", None),
    -115: ("zns_out_of_quota", 3600.0),
    -124: ("zns_access_token_invalid", 60.0),
}
_PERMANENT: dict[int, str] = {
    -108: "invalid_phone",
    -109: "zns_template_invalid",
    -110: "zalo_version_unsupported",
    -111: "zns_template_data_empty",
    -112: "zns_template_data_invalid",
    -118: "zalo_account_missing",
    -119: "zalo_account_cannot_receive",
}


@dataclass
class ZaloZnsChannel:
    """POSTs {phone, template_id, template_data, tracking_id} to `<base_url>/message/template`.

    The phone goes as 84XXXXXXXXX (Zalo's format) and the idempotency key as
    tracking_id. Success is {"error": 0, "data": {"msg_id": ...}}.
    """

    client: GatewayClient
    access_token: str
    base_url: str = ZALO_API
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> messages.Channel:
        """This is the Zalo channel."""
        return messages.Channel.ZALO

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one ZNS message and map Zalo's error code to a result."""
        return log_result(message, await self._send(message))

    async def _send(self, message: OutboundMessage) -> SendResult:
        if not isinstance(message.content, ZnsContent):
            return PermanentFailure("wrong_content")
        body = {
            "phone": message.recipient.removeprefix("+"),
            "template_id": message.content.template_id,
            "template_data": dict(message.content.params),
            "tracking_id": message.idempotency_key,
        }
        url = f"{self.base_url.rstrip('/')}/message/template"
        headers = {"access_token": self.access_token}
        response = await send_json(self.client, url, body, headers, self.timeout)
        if not isinstance(response, GatewayAnswer):
            return response
        return failure_for_status(response) or _zalo_result(response)


def _zalo_result(response: GatewayAnswer) -> SendResult:
    try:
        answer = response.json()
        code = int(answer["error"])
    except (ValueError, KeyError, TypeError):
        return PermanentFailure("gateway_garbage")
    if code == 0:
        msg_id = (answer.get("data") or {}).get("msg_id")
        return Accepted(str(msg_id)) if msg_id else PermanentFailure("gateway_garbage")
    if code in _TEMPORARY:
        reason, wait = _TEMPORARY[code]
        return TemporaryFailure(reason, wait)
    return PermanentFailure(_PERMANENT.get(code, f"zns_error_{code}"))
