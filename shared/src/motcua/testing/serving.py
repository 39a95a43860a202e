"""Running an app under test: served by uvicorn on a free loopback port (for what must
reach it over the network: a browser, a callback, another process), or in process with
its lifespan and a client on it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import uvicorn

__all__ = ["Served", "asgi_client", "running", "serve", "serving"]


@dataclass
class Served:
    """An app served by uvicorn on loopback."""

    app: Any
    url: str
    """`http://127.0.0.1:<port>`"""
    server: uvicorn.Server
    task: asyncio.Task[None]
    credentials: Mapping[str, str] = field(default_factory=dict)
    """The headers `client()` sends."""

    async def stop(self, within: float = 30) -> None:
        """Stop as on SIGTERM: the server drains and the lifespan ends."""
        self.server.should_exit = True
        await asyncio.wait_for(self.task, within)

    def client(self) -> httpx.AsyncClient:
        """A client on the app, sending `credentials`."""
        return httpx.AsyncClient(base_url=self.url, timeout=10, headers=dict(self.credentials))

    def public_client(self) -> httpx.AsyncClient:
        """A client on the app without credentials."""
        return httpx.AsyncClient(base_url=self.url, timeout=10)


async def serve(
    app: Any,
    *,
    lifespan: Literal["on", "off"] = "on",
    credentials: Mapping[str, str] | None = None,
    **config: Any,
) -> Served:
    """Serve `app` on a free loopback port, once it listens (its lifespan run first when
    `lifespan` is on); `config` goes to uvicorn's."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "warning", "lifespan": lifespan} | config
    server = uvicorn.Server(uvicorn.Config(app, **options))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    task.add_done_callback(lambda _: sock.close())
    while not server.started:
        if task.done():
            await task
            raise RuntimeError(f"{type(app).__name__} did not start")
        await asyncio.sleep(0.02)
    return Served(app, f"http://127.0.0.1:{port}", server, task, dict(credentials or {}))


@asynccontextmanager
async def serving(
    app: Any, *, lifespan: Literal["on", "off"] = "on", **config: Any
) -> AsyncIterator[Served]:
    """`serve` for the block, stopped after it."""
    served = await serve(app, lifespan=lifespan, **config)
    try:
        yield served
    finally:
        if not served.task.done():
            await served.stop()


@asynccontextmanager
async def running(app: Any) -> AsyncIterator[Any]:
    """`app` with its lifespan run (started before the block, ended after it)."""
    async with app.router.lifespan_context(app):
        yield app


def asgi_client(app: Any, name: str = "app") -> httpx.AsyncClient:
    """A client on `app` in process (no network), at `http://<name>`."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")
