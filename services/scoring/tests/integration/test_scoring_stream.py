"""The live stream: a change reaches a Server-Sent Events client within a second, a
reconnecting client gets what it missed, and any process serves changes committed by
another."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import scoring_province as province
from scoring_sse import SseReader

pytestmark = pytest.mark.infra

STREAM = "/v1/indicators/stream"


async def test_a_change_is_pushed_within_a_second_and_resumed_after_a_reconnect(
    scoring_settings, start_scoring, script, publish
):
    service = await start_scoring(await scoring_settings())
    query = {"scope": "agency:STP", "period": "2026-11"}
    async with httpx.AsyncClient(base_url=service.url, timeout=None) as client:
        async with client.stream("GET", STREAM, params=query) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            events = SseReader(response)
            await events.next("ready")
            # The first event also waits for the consumer to join its group.
            script.received(province.code(1), province.local(11, 20))
            await script.publish(publish)
            _, warm = await events.next("indicators", within=30)
            assert warm["figures"]["received"] == 1

            script.intake.clear()
            script.received(province.code(2), province.local(11, 20, 9, 30))
            sent = time.perf_counter()
            await script.publish(publish)
            first_id, first = await events.next("indicators")
            latency = time.perf_counter() - sent

        assert (first["scope"], first["period"]) == ("agency:STP", "2026-11")
        assert first["figures"]["received"] == 2
        assert latency < 1.0, f"pushed after {latency:.2f} s"

        # While disconnected, a third dossier arrives; the reconnect asks for the rest.
        script.intake.clear()
        script.received(province.code(3), province.local(11, 20, 10))
        await script.publish(publish)
        await asyncio.sleep(1.5)
        headers = {"Last-Event-ID": first_id}
        async with client.stream("GET", STREAM, params=query, headers=headers) as response:
            events = SseReader(response)
            missed_id, missed = await events.next("indicators")

    assert int(missed_id) > int(first_id)
    assert missed["figures"]["received"] == 3


async def test_every_process_streams_changes_another_process_committed(
    scoring_settings, start_scoring, script, publish
):
    settings = await scoring_settings()
    first = await start_scoring(settings)
    second = await start_scoring(settings)  # same database and group: a second worker
    query = {"scope": "province:all", "period": "today"}
    async with httpx.AsyncClient(timeout=None) as client:
        async with (
            client.stream("GET", first.url + STREAM, params={"kind": "province"}) as a,
            client.stream("GET", second.url + STREAM, params={"kind": "province"}) as b,
        ):
            readers = [SseReader(a), SseReader(b)]
            for reader in readers:
                await reader.next("ready")
            script.received(province.code(3), province.local(11, 21, 9))
            await script.publish(publish)
            seen = [await reader.next("indicators") for reader in readers]
        today = await client.get(first.url + "/v1/indicators", params=query)

    assert seen[0][0] == seen[1][0]  # the same change, numbered once
    assert {change["scope"] for _, change in seen} == {"province:all"}
    assert today.json()["items"][0]["figures"]["received"] == 1
