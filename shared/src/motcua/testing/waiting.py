"""Waiting in tests for what happens elsewhere (a consumer, a loop, a server), and a free
port to serve on."""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import Callable
from typing import Any

__all__ = ["eventually", "free_port"]


async def eventually(
    check: Callable[[], Any],
    within: float = 30,
    *,
    every: float = 0.05,
    what: str = "",
    until: Callable[[Any], Any] = bool,
) -> Any:
    """Call `check` (plain or async) every `every` seconds until it returns something
    truthy (or that `until` holds of), and return that; fail after `within` seconds,
    naming `what` and the last result."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if until(result):
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"{what or 'the condition'} not met within {within} s (last: {result!r})"
            )
        await asyncio.sleep(every)


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
