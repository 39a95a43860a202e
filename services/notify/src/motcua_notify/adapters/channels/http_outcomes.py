"""How HTTP answers and transport errors from gateways map onto send results."""

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

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
    "post_json",
    "retry_after_seconds",
]

DEFAULT_TIMEOUT = 10.0
logger = logging.getLogger("motcua_notify.channels")


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


def failure_for_status(response: httpx.Response) -> TemporaryFailure | PermanentFailure | None:
    """Return the failure a non-2xx status means (429 and 5xx retry), or None for 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 429:
        return TemporaryFailure("rate_limited", wait)
    if status == 408 or status >= 500:
        return TemporaryFailure(f"gateway_error_{status}", wait)
    return PermanentFailure(f"rejected_{status}")


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    body: bytes | Mapping[str, object],
    headers: Mapping[str, str],
    seconds: float,
) -> httpx.Response | TemporaryFailure:
    """POST a JSON body; transport errors and timeouts come back as temporary failures."""
    limits = httpx.Timeout(seconds, connect=min(seconds, 3.0))
    try:
        if isinstance(body, bytes):
            request_headers = {"Content-Type": "application/json", **headers}
            return await client.post(url, content=body, headers=request_headers, timeout=limits)
        return await client.post(url, json=body, headers=dict(headers), timeout=limits)
    except httpx.TimeoutException:
        return TemporaryFailure("timeout")
    except httpx.TransportError:
        return TemporaryFailure("connection_error")


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
