"""Clients of the national portal (DVCQG): direct, with a session, or through the
province's integration platform (LGSP, one URL per operation).

Every call is a JSON POST; replies are read defensively (`domain.replies`) and the raw
text is kept. Timeouts and refused connections become replies too (`timeout`,
`unavailable`), so the sync treats every failure the same way. Calls are rate-limited
per portal. Bodies carry personal data: they are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

import orjson

from motcua.http import GatewayClient, GatewayUnreachable
from motcua_portal.adapters.metrics import CALL_SECONDS, CALLS
from motcua_portal.domain import Outcome, Reply, ReplyRules, read_reply
from motcua_portal.settings import DvcqgSettings

__all__ = ["DirectPortal", "LgspPortal", "Portal", "RateLimit", "make_portal"]

log = logging.getLogger(__name__)

SERVICES = {
    "create": "DongBoHoSoMC",
    "update": "DongBoHoSoMC",
    "progress": "CapNhatTienDoHoSoMC",
    "lookup": "TraCuuHoSo",
    "catalogue": "LayDanhSachTTHC",
}


class Portal(Protocol):
    """What the sync needs of the portal."""

    async def push_dossiers(
        self, unit: str, records: list[dict[str, Any]], updating: bool
    ) -> Reply:
        """DongBoHoSoMC: create (`updating` False) or update dossiers of one unit."""
        ...

    async def push_progress(self, unit: str, entries: list[dict[str, Any]]) -> Reply:
        """CapNhatTienDoHoSoMC: progress entries of one unit's dossiers."""
        ...

    async def lookup(self, unit: str, code: str) -> Reply:
        """TraCuuHoSo: does the portal have this dossier?"""
        ...

    async def procedures(self) -> Reply:
        """LayDanhSachTTHC: the national procedure catalogue."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class RateLimit:
    """At most `rate` calls a second, spaced evenly (one limiter per portal)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when the next call may go."""
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            await asyncio.sleep(delay)


class _Client:
    def __init__(self, settings: DvcqgSettings) -> None:
        self.settings = settings
        self.rules = ReplyRules(
            success_codes=frozenset(settings.success_codes),
            exists_phrases=tuple(settings.exists_phrases),
            session_phrases=tuple(settings.session_phrases),
        )
        self.http = GatewayClient()
        self.limit = RateLimit(settings.calls_per_second)

    async def close(self) -> None:
        await self.http.close()

    def headers(self) -> dict[str, str]:
        return {"dstcode": self.settings.dstcode, "Content-Type": "application/json"}

    async def post(
        self, operation: str, url: str, body: dict[str, Any], headers: dict[str, str]
    ) -> Reply:
        await self.limit.wait()
        started = time.perf_counter()
        try:
            answer = await self.http.post(
                url,
                orjson.dumps(body),
                headers,
                seconds=self.settings.read_timeout_seconds,
                connect_seconds=self.settings.connect_timeout_seconds,
            )
            reply = read_reply(answer.status_code, answer.text, self.rules)
        except GatewayUnreachable as unreachable:
            if unreachable.timed_out:
                reply = Reply(Outcome.TIMEOUT, "timeout", unreachable.cause, "")
            else:
                reply = Reply(Outcome.UNAVAILABLE, "unreachable", unreachable.cause, "")
        CALL_SECONDS.labels(operation).observe(time.perf_counter() - started)
        CALLS.labels(operation, reply.outcome.value).inc()
        return reply


class DirectPortal(_Client):
    """The portal's adapter endpoint, with a session renewed when it ages or is rejected."""

    def __init__(self, settings: DvcqgSettings, monotonic: Any = time.monotonic) -> None:
        super().__init__(settings)
        self._session: str | None = None
        self._session_at = 0.0
        self._session_lock = asyncio.Lock()
        self._monotonic = monotonic
        self.logins = 0

    async def _login(self, stale: str | None) -> tuple[str | None, Reply | None]:
        async with self._session_lock:
            fresh = self._session is not None and (
                self._monotonic() - self._session_at < self.settings.session_ttl_seconds
            )
            if fresh and self._session != stale:
                return self._session, None
            body = {
                "username": self.settings.username,
                "password": self.settings.password.get_secret_value(),
            }
            url = self.settings.adapter_url + self.settings.auth_endpoint
            reply = await self.post("login", url, body, self.headers())
            session = (reply.body or {}).get("session") if reply.ok else None
            if not session:
                self._session = None
                if reply.ok:
                    reply = Reply(Outcome.GARBAGE, reply.code, "no session in the reply", reply.raw)
                # A portal that refuses the login refuses every dossier: not theirs to carry.
                return None, Reply(
                    Outcome.UNAVAILABLE, f"login_{reply.code}", reply.message, reply.raw
                )
            self._session, self._session_at = str(session), self._monotonic()
            self.logins += 1
            return self._session, None

    async def _call(self, operation: str, unit: str, payload: dict[str, Any]) -> Reply:
        url = self.settings.adapter_url + self.settings.integration_endpoint
        session: str | None = None
        for attempt in (1, 2):
            session, failed = await self._login(session if attempt == 2 else None)
            if failed is not None:
                return failed
            body = {"service": SERVICES[operation], "session": session, "madonvi": unit, **payload}
            reply = await self.post(operation, url, body, self.headers())
            if reply.outcome is not Outcome.SESSION_EXPIRED:
                return reply
            log.info("portal session rejected; logging in again", extra={"operation": operation})
        return reply

    async def push_dossiers(
        self, unit: str, records: list[dict[str, Any]], updating: bool
    ) -> Reply:
        """DongBoHoSoMC."""
        payload = {"isUpdating": "True" if updating else "False", "data": records}
        return await self._call("update" if updating else "create", unit, payload)

    async def push_progress(self, unit: str, entries: list[dict[str, Any]]) -> Reply:
        """CapNhatTienDoHoSoMC."""
        return await self._call("progress", unit, {"data": entries})

    async def lookup(self, unit: str, code: str) -> Reply:
        """TraCuuHoSo."""
        return await self._call("lookup", unit, {"mahoso": code})

    async def procedures(self) -> Reply:
        """LayDanhSachTTHC."""
        return await self._call("catalogue", "", {})


class LgspPortal(_Client):
    """The provincial integration platform: one URL per operation, its own token, no session."""

    def _url(self, operation: str) -> str:
        url = self.settings.lgsp_urls.get(operation)  # type: ignore[call-overload]
        if url is None and operation == "update":
            url = self.settings.lgsp_urls.get("create")
        if url is None:
            raise ValueError(f"no LGSP URL configured for {operation!r}")
        return str(url)

    def headers(self) -> dict[str, str]:
        headers = super().headers()
        if self.settings.lgsp_token is not None:
            headers["Authorization"] = f"Bearer {self.settings.lgsp_token.get_secret_value()}"
        return headers

    async def _call(self, operation: str, unit: str, payload: dict[str, Any]) -> Reply:
        try:
            url = self._url(operation)
        except ValueError as exc:
            return Reply(Outcome.REJECTED, "not_configured", str(exc), "")
        body = {"service": SERVICES[operation], "madonvi": unit, **payload}
        return await self.post(operation, url, body, self.headers())

    async def push_dossiers(
        self, unit: str, records: list[dict[str, Any]], updating: bool
    ) -> Reply:
        """DongBoHoSoMC through the LGSP."""
        payload = {"isUpdating": "True" if updating else "False", "data": records}
        return await self._call("update" if updating else "create", unit, payload)

    async def push_progress(self, unit: str, entries: list[dict[str, Any]]) -> Reply:
        """CapNhatTienDoHoSoMC through the LGSP."""
        return await self._call("progress", unit, {"data": entries})

    async def lookup(self, unit: str, code: str) -> Reply:
        """TraCuuHoSo through the LGSP."""
        return await self._call("lookup", unit, {"mahoso": code})

    async def procedures(self) -> Reply:
        """LayDanhSachTTHC through the LGSP."""
        return await self._call("catalogue", "", {})


def make_portal(settings: DvcqgSettings) -> DirectPortal | LgspPortal:
    """The client of the configured topology."""
    if settings.topology == "lgsp":
        return LgspPortal(settings)
    return DirectPortal(settings)
