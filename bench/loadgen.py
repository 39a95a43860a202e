"""A lean HTTP/1.1 load generator: keep-alive connections on asyncio protocols.

General-purpose clients (httpx, aiohttp) spend milliseconds of CPU per request, which on
two shared cores caps the rate a benchmark can drive well below what the server under
test does. This client does the least HTTP/1.1 needs: one request at a time per
connection, `Content-Length` bodies, no redirects, no chunked responses (the services
answer with `Content-Length`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

__all__ = ["Connection", "Response", "connect"]


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self._buffer = bytearray()
        self._waiter: asyncio.Future[Response] | None = None
        self._transport: asyncio.Transport | None = None
        self._closed: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = exc or ConnectionResetError("connection closed by the server")
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(self._closed)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self._buffer[:end]).lower()
        at = head.find(b"content-length:")
        if at < 0:
            waiter.set_exception(ValueError("response without content-length"))
            return
        stop = head.find(b"\r\n", at)
        length = int(head[at + 15 : stop if stop >= 0 else None])
        total = end + 4 + length
        if len(self._buffer) < total:
            return
        status = int(head[9:12])
        body = bytes(self._buffer[end + 4 : total])
        del self._buffer[:total]
        waiter.set_result(Response(status, body))

    def send(self, request: bytes) -> asyncio.Future[Response]:
        if self._closed is not None:
            raise self._closed
        assert self._transport is not None
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class Connection:
    """One keep-alive connection; `request` awaits the whole response."""

    def __init__(self, protocol: _Protocol, host: str) -> None:
        self._protocol = protocol
        self._host = host.encode()

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        lines = [
            f"{method} {path} HTTP/1.1".encode(),
            b"Host: " + self._host,
            b"Content-Length: " + str(len(body)).encode(),
        ]
        lines.extend(f"{name}: {value}".encode() for name, value in (headers or {}).items())
        request = b"\r\n".join(lines) + b"\r\n\r\n" + body
        return await self._protocol.send(request)

    def close(self) -> None:
        self._protocol.close()


async def connect(base_url: str) -> Connection:
    """A connection to `http://host:port` (plain HTTP on loopback)."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    _, protocol = await asyncio.get_running_loop().create_connection(_Protocol, host, port)
    return Connection(protocol, f"{host}:{port}")
