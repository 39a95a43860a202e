"""Bounded shutdown of a real service process: SIGTERM while a request is stuck in the database.

Scoring is served by uvicorn as the local stack starts it (`motcua_devstack.services.command`),
on this test's own database, topics and consumer group. The test holds a lock on the table
a request reads, so the request hangs inside the service; after SIGTERM the request gets a
503 problem+json and the process exits within its `SHUTDOWN_SECONDS`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from motcua.events.topics import TopicSpec, dead_letter_topic, redrive_topic
from motcua.settings import KafkaSettings
from motcua.testing import create_topics, free_port
from motcua_devstack import services

pytestmark = pytest.mark.infra

SHUTDOWN_SECONDS = 4.0
EXIT_MARGIN_SECONDS = 3.0
"""Beyond the service's bound: the interpreter's own exit (worker pools, logging)."""


async def until(check: Callable[[], Awaitable[bool]], what: str, within: float) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.1)


class Served:
    """A service process started by the test."""

    def __init__(self, process: asyncio.subprocess.Process, base: str, log: Path) -> None:
        self.process = process
        self.base = base
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    async def exited(self, within: float) -> int:
        deadline = time.monotonic() + within
        while self.process.returncode is None:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the process did not exit within the shutdown bound ({within:.1f} s)\n"
                    + self.output()
                )
            await asyncio.sleep(0.05)
        return await self.process.wait()


@pytest.fixture
async def serve_scoring(
    fresh_database_url: str, kafka_settings: KafkaSettings, make_topic, tmp_path: Path
) -> AsyncIterator[Callable[[], Awaitable[Served]]]:
    started: list[Served] = []

    async def serve() -> Served:
        name = f"scoring-{uuid.uuid4().hex[:8]}"
        await create_topics(
            kafka_settings,
            [TopicSpec(redrive_topic(name).name, 1), TopicSpec(dead_letter_topic(name).name, 1)],
        )
        port = free_port()
        environment = {
            "SCORING_SERVICE_NAME": name,
            "SCORING_DATABASE__URL": fresh_database_url,
            **kafka_settings.environment("SCORING_KAFKA__"),
            "SCORING_HTTP__PORT": str(port),
            "SCORING_TOPICS__DOSSIER_EVENTS": await make_topic("dossier-events", 1),
            "SCORING_TOPICS__TRACKING_EVENTS": await make_topic("tracking-events", 1),
            "SCORING_TOPICS__INDICATORS": await make_topic("indicators", 1),
            "SCORING_SHUTDOWN_SECONDS": str(SHUTDOWN_SECONDS),
            # One pass of the gauges at start, then none while the test holds its lock.
            "SCORING_GAUGES__REFRESH_SECONDS": "3600",
        }
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *services.command("scoring", port, environment),
                env={**os.environ, **environment},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        served = Served(process, services.url(port), log)
        started.append(served)
        return served

    yield serve
    for served in started:
        if served.process.returncode is None:
            served.process.kill()
            await asyncio.wait_for(served.process.wait(), 10)


async def test_sigterm_answers_a_request_stuck_in_the_database_with_503_and_exits_in_time(
    serve_scoring, fresh_database_url: str
) -> None:
    scoring = await serve_scoring()
    dsn = fresh_database_url.replace("postgresql+asyncpg://", "postgresql://")
    async with httpx.AsyncClient(base_url=scoring.base, timeout=30) as client:

        async def gauges_passed() -> bool:
            if scoring.process.returncode is not None:
                raise AssertionError("scoring exited while starting\n" + scoring.output())
            try:
                metrics = (await client.get("/metrics")).text
            except httpx.TransportError:
                return False
            return any(
                line.startswith("motcua_loop_last_success_timestamp_seconds")
                and 'loop="business-gauges"' in line
                for line in metrics.splitlines()
            )

        await until(gauges_passed, "scoring served and its gauges refreshed once", 90)
        assert (await client.get("/v1/scopes")).status_code == 200

        holder = await asyncpg.connect(dsn)
        try:
            lock = holder.transaction()
            await lock.start()
            await holder.execute("LOCK TABLE scopes IN ACCESS EXCLUSIVE MODE")
            hung = asyncio.create_task(client.get("/v1/scopes"))

            async def request_waits_on_the_lock() -> bool:
                assert not hung.done(), "the request finished although the table is locked"
                # Only the request reads this table now (the gauges wait an hour): a
                # lock on it not granted is the request, stuck inside the service.
                waiting = await holder.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted"
                    " AND relation = 'scopes'::regclass"
                )
                return bool(waiting)

            await until(request_waits_on_the_lock, "the request is stuck on the lock", 20)
            stream = await client.send(
                client.build_request("GET", "/v1/indicators/stream"), stream=True
            )
            assert stream.status_code == 200, "the live stream did not open"

            scoring.process.send_signal(signal.SIGTERM)
            code = await scoring.exited(within=SHUTDOWN_SECONDS + EXIT_MARGIN_SECONDS)
            assert code in (0, -signal.SIGTERM), scoring.output()

            response = await asyncio.wait_for(hung, 5)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "1"
            problem = response.json()
            assert problem["status"] == 503
            assert problem["code"] == "shutting_down"
            await stream.aclose()
            await lock.rollback()
        finally:
            await holder.close()
