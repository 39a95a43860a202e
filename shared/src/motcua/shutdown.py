"""Bounded shutdown: on SIGTERM nothing waits longer than the service's `shutdown_seconds`.

`Shutdown` notes when the process is told to stop (it chains the server's own signal
handler, so uvicorn still drains connections as usual). `RequestDeadline`, an ASGI
middleware, answers the requests still running half-way through that budget with a
503 problem and cancels them; the other half is left to the background loops, the
broker and the database pool, each stopped within its share by the runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PROBLEM_MEDIA_TYPE", "RequestDeadline", "Shutdown", "problem_json"]

log = logging.getLogger(__name__)
PROBLEM_MEDIA_TYPE = "application/problem+json"
_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


def problem_json(status: int, code: str, title: str, detail: str, **extensions: Any) -> bytes:
    """A problem details document (RFC 9457) in the project's shape."""
    document = {
        "type": f"urn:motcua:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extensions,
    }
    return orjson.dumps(document)


class Shutdown:
    """When the process was told to stop, and how long it has to do so."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.requested = asyncio.Event()
        self.requested_at: float | None = None
        self._previous: dict[int, _Handler] = {}

    def begin(self) -> None:
        """Start the countdown (idempotent)."""
        if self.requested_at is None:
            self.requested_at = time.monotonic()
            log.info("shutdown requested; %.1f s to finish", self.seconds)
        self.requested.set()

    def left(self) -> float:
        """Seconds left of the budget (the whole budget before shutdown starts)."""
        if self.requested_at is None:
            return self.seconds
        return max(self.seconds - (time.monotonic() - self.requested_at), 0.0)

    def watch_signals(self) -> None:
        """Chain SIGTERM and SIGINT: note the request, then call the previous handler.

        Only the main thread may set handlers: an app started elsewhere (a test client's
        event loop thread) is not served by a server whose handler could be chained."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in _SIGNALS:
            previous = signal.getsignal(sig)
            if previous in (signal.SIG_DFL, signal.SIG_IGN, None):
                continue  # no server handler to chain: not served by uvicorn (a test)
            self._previous[sig] = previous

            def handler(number: int, frame: FrameType | None, chained: Any = previous) -> None:
                loop.call_soon_threadsafe(self.begin)
                chained(number, frame)

            signal.signal(sig, handler)

    def restore_signals(self) -> None:
        """Put the previous handlers back."""
        for sig, previous in self._previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, previous)
        self._previous.clear()


class RequestDeadline:
    """Once shutdown starts, requests still running after half the budget get a 503."""

    def __init__(self, app: ASGIApp, shutdown: Shutdown) -> None:
        self.app = app
        self.shutdown = shutdown
        self._running: set[asyncio.Task[Any]] = set()
        self._watcher: asyncio.Task[None] | None = None
        self._expired = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - ASGI servers run requests in tasks
            await self.app(scope, receive, send)
            return
        if self._watcher is None:
            self._watcher = asyncio.create_task(self._expire())
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        self._running.add(task)
        try:
            await self.app(scope, receive, tracked)
        except asyncio.CancelledError:
            if not self._expired:
                raise
            task.uncancel()
            if not started:
                await _unavailable(send)
        finally:
            self._running.discard(task)

    async def _expire(self) -> None:
        await self.shutdown.requested.wait()
        await asyncio.sleep(max(self.shutdown.left() - self.shutdown.seconds / 2, 0.0))
        self._expired = True
        if self._running:
            log.warning("%d requests cut short by the shutdown deadline", len(self._running))
        for task in list(self._running):
            task.cancel()


async def _unavailable(send: Send) -> None:
    body = problem_json(
        503,
        "shutting_down",
        "Service Unavailable",
        "The service is shutting down and could not finish this request; retry it.",
    )
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", b"1"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
