"""The one HTTP client the services call the outside world with: notify's gateways (SMS,
Zalo ZNS, webhooks) and the national portal (directly or through the province's LGSP).

POSTs go through one aiohttp session of keep-alive connections, opened on first use:
with 32 requests in flight it spends less than a tenth of the CPU a request that httpx
did (`python -m bench gateways`; BENCHMARKS.md, "Notify's gateway client"). Redirects are
not followed (a gateway that moved answers with its 3xx); no answer at all (a timeout, a
refused or broken connection) is `GatewayUnreachable`, which each caller maps onto its
own outcome (a temporary failure, an unavailable portal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

__all__ = ["GatewayAnswer", "GatewayClient", "GatewayUnreachable"]

_KEEP_IDLE_SECONDS = 4.0


@dataclass(frozen=True)
class GatewayAnswer:
    """A gateway's HTTP answer, read whole."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return orjson.loads(self.body)

    @property
    def text(self) -> str:
        """The body as text (UTF-8, as JSON is; undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


class GatewayUnreachable(Exception):
    """No answer: the time ran out (`timed_out`) or the connection failed."""

    def __init__(self, timed_out: bool, cause: str) -> None:
        super().__init__(cause)
        self.timed_out = timed_out
        self.cause = cause


class GatewayClient:
    """POSTs to gateways over keep-alive connections (at most `connections` open)."""

    def __init__(self, connections: int = 100) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        seconds: float,
        connect_seconds: float = 3.0,
    ) -> GatewayAnswer:
        """POST `body`; the answer within `seconds` in all (connecting within
        `connect_seconds`), else `GatewayUnreachable`."""
        timeout = aiohttp.ClientTimeout(total=seconds, connect=min(seconds, connect_seconds))
        try:
            async with self._open().post(
                url, data=body, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                return GatewayAnswer(response.status, response.headers, await response.read())
        except TimeoutError as error:
            raise GatewayUnreachable(True, type(error).__name__) from None
        except (aiohttp.ClientError, OSError) as error:
            raise GatewayUnreachable(False, type(error).__name__) from None

    async def post_json(
        self,
        url: str,
        body: bytes | Mapping[str, object],
        headers: Mapping[str, str],
        seconds: float,
    ) -> GatewayAnswer:
        """POST a JSON body (`Content-Type: application/json`), as `post`."""
        data = body if isinstance(body, bytes) else orjson.dumps(body)
        return await self.post(
            url, data, {"Content-Type": "application/json", **headers}, seconds=seconds
        )

    async def close(self) -> None:
        """Close the connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # An idle connection is dropped before common servers drop it (uvicorn after
            # 5 s): reusing one the server has just closed fails the call for nothing.
            connector = aiohttp.TCPConnector(
                limit=self._connections, keepalive_timeout=_KEEP_IDLE_SECONDS
            )
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session
