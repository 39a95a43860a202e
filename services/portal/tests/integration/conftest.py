"""Fixtures: the fake portal on loopback, topics and databases of one test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from portal_harness import PASSWORD, FakePortal, Harness

from motcua.devstack.fake_dvcqg import create_app as create_fake_portal
from motcua.settings import KafkaSettings
from motcua.testing import drop_database, free_port
from motcua_portal.settings import TopicSettings


@pytest.fixture
async def fake() -> AsyncIterator[FakePortal]:
    app = create_fake_portal(password=PASSWORD)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    portal = FakePortal(f"http://127.0.0.1:{port}", app)
    yield portal
    await portal.http.aclose()
    server.should_exit = True
    await task


@pytest.fixture
async def harness(
    kafka_settings: KafkaSettings,
    database_base_url: str,
    make_topic: Callable[..., Awaitable[str]],
) -> AsyncIterator[Harness]:
    producer = AIOKafkaProducer(**kafka_settings.client_options(), enable_idempotence=True)
    await producer.start()
    made = Harness(kafka_settings, database_base_url, producer)
    made.topics = TopicSettings(
        dossier_events=await make_topic("dossier-events", partitions=3),
        tracking_events=await make_topic("tracking-events", partitions=3),
        procedures=await make_topic("procedures", partitions=1),
        applicants=await make_topic("applicants", partitions=3),
    )
    yield made
    await producer.stop()
    for name in made.databases:
        await drop_database(database_base_url, name)
