"""PostgreSQL LISTEN on a connection taken from the engine's pool."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["listening"]


@contextlib.asynccontextmanager
async def listening(
    engine: AsyncEngine, channel: str, on_payload: Callable[[str], None]
) -> AsyncIterator[asyncio.Event]:
    """Call `on_payload` for each NOTIFY on `channel` while the block runs.

    Yields an event that is set when the connection is lost, so the caller can
    listen again.
    """
    lost = asyncio.Event()
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection

        def notified(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            on_payload(payload)

        def terminated(_conn: Any) -> None:
            lost.set()

        driver.add_termination_listener(terminated)
        await driver.add_listener(channel, notified)
        try:
            yield lost
        finally:
            if not lost.is_set():
                with contextlib.suppress(Exception):
                    await driver.remove_listener(channel, notified)
            driver.remove_termination_listener(terminated)
