"""Per-channel rate limits: a token bucket each sender waits on before it sends."""

from __future__ import annotations

import asyncio

__all__ = ["TokenBucket"]


class TokenBucket:
    """`rate` tokens a second, up to `burst` saved; a rate of 0 never waits."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = float(max(burst, 1))
        self._tokens = self._burst
        self._updated: float | None = None
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait until a token is free and take it (callers are served in arrival order)."""
        if self._rate <= 0:
            return
        async with self._lock:
            loop = asyncio.get_running_loop()
            self._refill(loop.time())
            if self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) / self._rate)
                self._refill(loop.time())
            self._tokens -= 1

    def _refill(self, now: float) -> None:
        if self._updated is not None:
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
