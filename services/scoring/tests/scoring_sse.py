"""Reading scoring's live stream (`GET /v1/indicators/stream`) in tests."""

from __future__ import annotations

import asyncio

import httpx
import orjson


class SseReader:
    """Reads `event:`/`id:`/`data:` blocks from a streaming response."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()

    async def next(self, event: str, within: float = 10) -> tuple[str, dict]:
        """The id and data of the next `event` block (comments and other events skipped)."""
        async with asyncio.timeout(within):
            fields: dict[str, str] = {}
            async for line in self._lines:
                if line.startswith(":"):
                    continue
                if line:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                    continue
                if fields.get("event") == event:
                    return fields["id"], orjson.loads(fields["data"])
                fields = {}
        raise AssertionError(f"the stream ended before a {event!r} event")
