"""The HTTP client of the gateways, and how their answers and transport errors map onto
send results.

Gateways are reached through one aiohttp session of keep-alive connections, opened on
first use: with 32 requests in flight it spends less than a tenth of the CPU a request
that httpx did (`python -m bench gateways`; BENCHMARKS.md, "Notify's gateway client").
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import orjson

from motcua_notify.domain.contacts import mask
from motcua_notify.domain.outbound import (
    OutboundMessage,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "GatewayAnswer",
    "GatewayClient",
    "failure_for_status",
    "log_result",
    "retry_after_seconds",
]

DEFAULT_TIMEOUT = 10.0
_KEEP_IDLE_SECONDS = 4.0
logger = logging.getLogger("motcua_notify.channels")


@dataclass(frozen=True)
class GatewayAnswer:
    """A gateway's HTTP answer, read whole."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return orjson.loads(self.body)


class GatewayClient:
    """POSTs JSON to gateways over keep-alive connections (at most `connections` open)."""

    def __init__(self, connections: int = 100) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def post_json(
        self,
        url: str,
        body: bytes | Mapping[str, object],
        headers: Mapping[str, str],
        seconds: float,
    ) -> GatewayAnswer | TemporaryFailure:
        """POST a JSON body; transport errors and timeouts come back as temporary failures.
        Redirects are not followed: a gateway that moved answers with its 3xx."""
        data = body if isinstance(body, bytes) else orjson.dumps(body)
        timeout = aiohttp.ClientTimeout(total=seconds, connect=min(seconds, 3.0))
        try:
            async with self._open().post(
                url,
                data=data,
                headers={"Content-Type": "application/json", **headers},
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                return GatewayAnswer(response.status, response.headers, await response.read())
        except TimeoutError:
            return TemporaryFailure("timeout")
        except (aiohttp.ClientError, OSError):
            return TemporaryFailure("connection_error")

    async def close(self) -> None:
        """Close the connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # An idle connection is dropped before common servers drop it (uvicorn after
            # 5 s): reusing one the server has just closed fails the send for nothing.
            connector = aiohttp.TCPConnector(
                limit=self._connections, keepalive_timeout=_KEEP_IDLE_SECONDS
            )
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session


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
