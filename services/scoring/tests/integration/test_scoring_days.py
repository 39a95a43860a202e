"""Figures of a day that has not come: the publisher writes them when a due time is set
days ahead (the day it turns overdue), but the stream never sends a day after today and
the day's trend holds only what changed during that day, in time order."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
import orjson
import pytest
import scoring_province as province

pytestmark = pytest.mark.infra

FUTURE_DAY = "2026-11-26"  # D5 is due on 25 Nov and turns overdue on the 26th


async def read_until(response: httpx.Response, predicate) -> list[dict]:
    """`indicators` events until one satisfies `predicate` (the stream's own test waits
    for events the same way)."""
    seen: list[dict] = []
    fields: dict[str, str] = {}
    async with asyncio.timeout(30):
        async for line in response.aiter_lines():
            if line.startswith(":"):
                continue
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
                continue
            if fields.get("event") == "indicators":
                seen.append(orjson.loads(fields["data"]))
                if predicate(seen[-1]):
                    return seen
            fields = {}
    raise AssertionError("the stream ended")


async def test_no_future_day_is_streamed_nor_an_earlier_change_trended(
    scoring_settings, start_scoring, script, publish, scoring_db, wait_until
):
    settings = await scoring_settings()
    service = await start_scoring(settings)
    province.write(script)
    await script.publish(publish)

    async def future_day_published() -> bool:
        rows = await scoring_db(
            settings.database.url,
            "SELECT count(*) FROM indicator_changes WHERE scope = 'agency:STP'"
            f" AND period = '{FUTURE_DAY}'",
        )
        return rows[0][0] > 0

    await wait_until(future_day_published, what="the future day's figures in the change log")

    async with httpx.AsyncClient(base_url=service.url, timeout=None) as client:
        future = await client.get("/v1/trend", params={"scope": "agency:STP", "day": FUTURE_DAY})
        assert future.json()["points"] == []

        query = {"scope": "agency:STP"}
        async with client.stream(
            "GET", "/v1/indicators/stream", params=query, headers={"Last-Event-ID": "0"}
        ) as response:
            script.intake.clear()
            script.tracking.clear()
            script.received("STP-261121-0042", province.local(11, 21, 9, 30))
            await script.publish(publish)
            seen = await read_until(
                response, lambda c: c["period"] == "2026-11" and c["figures"]["received"] == 5
            )

        today = await client.get("/v1/trend", params={"scope": "agency:STP"})

    periods = {c["period"] for c in seen}
    assert FUTURE_DAY not in periods
    assert all(p <= "2026-11-21" for p in periods if len(p) == 10), periods
    last: dict[tuple[str, str], dict] = {}
    for c in seen:
        key = (c["scope"], c["period"])
        assert last.get(key) != c["figures"], f"{key} sent twice with the same figures"
        last[key] = c["figures"]

    points = today.json()["points"]
    assert points, "today's trend has points"
    instants = [datetime.fromisoformat(p["at"]) for p in points]
    assert instants == sorted(instants)
    assert {i.astimezone(province.LOCAL_TZ).date().isoformat() for i in instants} == {"2026-11-21"}
