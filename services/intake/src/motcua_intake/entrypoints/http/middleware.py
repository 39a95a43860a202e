"""ASGI middleware: request metrics by route template, and request body size limits."""

from __future__ import annotations

import time
from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motcua.http import PROBLEM_JSON, problem_bytes
from motcua_intake.adapters.metrics import HTTP_REQUESTS, HTTP_SECONDS
from motcua_intake.service.errors import Rejection

__all__ = ["BodyLimit", "RequestMetrics"]


class RequestMetrics:
    """Counts requests by route template (never the raw path), method and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_SECONDS.labels(route, method).observe(time.perf_counter() - started)


class BodyLimit:
    """Refuses request bodies over a size limit with 413, before or while reading them.

    `limits` gives larger limits for some paths (bulk imports); others get `default`.
    """

    def __init__(self, app: ASGIApp, default: int, limits: Mapping[str, int]) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0
        exceeded = False
        replaced = False

        async def receive_limited() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _rejection(limit)
            return message

        async def send_checked(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and exceeded and message["status"] != 413:
                replaced = True
                await _too_large(send, limit)
                return
            if not replaced:
                await send(message)

        await self.app(scope, receive_limited, send_checked)


def _rejection(limit: int) -> Rejection:
    return Rejection("too_large", "body_too_large", f"the request body exceeds {limit} bytes")


async def _too_large(send: Send, limit: int) -> None:
    rejection = _rejection(limit)
    body = problem_bytes(413, rejection.code, rejection.detail)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
