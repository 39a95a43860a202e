"""How the gateways' answers and transport errors map onto send results. The gateways
are reached through the common HTTP client (`motcua.http.GatewayClient`)."""

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from motcua.http import GatewayAnswer, GatewayClient, GatewayUnreachable
from motcua_notify.domain.contacts import mask
from motcua_notify.domain.outbound import (
    OutboundMessage,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "failure_for_status",
    "log_result",
    "retry_after_seconds",
    "send_json",
]

DEFAULT_TIMEOUT = 10.0
logger = logging.getLogger("motcua_notify.channels")


async def send_json(
    client: GatewayClient,
    url: str,
    body: bytes | Mapping[str, object],
    headers: Mapping[str, str],
    seconds: float,
) -> GatewayAnswer | TemporaryFailure:
    """POST a JSON body to a gateway; no answer (a timeout, a failed connection) is a
    temporary failure, retried with backoff."""
    try:
        return await client.post_json(url, body, headers, seconds)
    except GatewayUnreachable as unreachable:
        return TemporaryFailure("timeout" if unreachable.timed_out else "connection_error")


def retry_after_seconds(value: str | None) -> float | None:
    """Read a Retry-After header given in seconds or as an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def failure_for_status(answer: GatewayAnswer) -> TemporaryFailure | PermanentFailure | None:
    """Return the failure a non-2xx status means (429 and 5xx retry), or None for 2xx."""
    status = answer.status_code
    if 200 <= status < 300:
        return None
    wait = retry_after_seconds(answer.headers.get("Retry-After"))
    if status == 429:
        return TemporaryFailure("rate_limited", wait)
    if status == 408 or status >= 500:
        return TemporaryFailure(f"gateway_error_{status}", wait)
    return PermanentFailure(f"rejected_{status}")


def log_result(message: OutboundMessage, result: SendResult) -> SendResult:
    """Log one send with a masked recipient and no message content; return the result."""
    logger.info(
        "notify send channel=%s type=%s to=%s key=%s result=%s",
        message.channel,
        message.message_type,
        mask(message.recipient),
        message.idempotency_key[:12],
        result,
    )
    return result
