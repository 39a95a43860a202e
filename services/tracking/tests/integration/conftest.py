"""The whole tracking app on the real broker and database, one consumer group per app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from sqlalchemy import text

from motcua.clock import ManualClock
from motcua.db import create_engine
from motcua.events import Envelope, decode
from motcua.settings import ConsumerSettings, DatabaseSettings, KafkaSettings, OutboxSettings
from motcua.testing.database import ABSORBED
from motcua.testing.kafka import Publisher
from motcua.testing.serving import asgi_client, running
from motcua.testing.topics import Topics, new_service
from motcua_tracking.app import create_app
from motcua_tracking.settings import ApiSettings, TimerSettings, TopicSettings, TrackingSettings

OFFICIAL_TOKEN = "official-test-token"
ADMIN_TOKEN = "admin-test-token"


class Stack:
    """The test's topics, databases and publisher, shared by the apps of one test."""

    def __init__(
        self,
        kafka: KafkaSettings,
        topics: Topics,
        publisher: Publisher,
        new_database: Callable[[], Awaitable[str]],
        make_topic: Callable[..., Awaitable[str]],
    ) -> None:
        self.kafka = kafka
        self.topics = topics
        self.publisher = publisher
        self.new_database = new_database
        self.make_topic = make_topic

    async def new_output(self) -> str:
        return await self.make_topic("tracking-out", partitions=3)

    async def settings(
        self, database_url: str, *, service: str | None = None, output: str | None = None
    ) -> TrackingSettings:
        name = await new_service(self.kafka, service or "tracking", as_is=service is not None)
        return TrackingSettings(
            service_name=name,
            database=DatabaseSettings(url=database_url, pool_size=4, max_overflow=4),
            kafka=self.kafka,
            topics=self.topics.wire(TopicSettings, publish_to=output or await self.new_output()),
            consumer=ConsumerSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.05),
            outbox=OutboxSettings(idle_poll_seconds=0.02),
            timers=TimerSettings(poll_seconds=0.05, gauge_seconds=0.2),
            api=ApiSettings(official_token=OFFICIAL_TOKEN, admin_token=ADMIN_TOKEN),
        )

    async def publish(
        self, *envelopes: Envelope, topic: str | None = None, revisions: bool = True
    ) -> None:
        """Send to `topic`, else each to the test's topic of its kind; the catalogue
        revisions the receptions name go first, as intake publishes them (unless
        `revisions` is false)."""
        await self.publisher(topic, *envelopes, revisions=revisions)

    def running(
        self, settings: TrackingSettings, clock: ManualClock
    ) -> AbstractAsyncContextManager[FastAPI]:
        return running(create_app(settings, clock=clock))

    async def applied(self, settings: TrackingSettings, count: int, within: float = 30) -> None:
        """Wait until an app's consumers have applied `count` events (the catalogue's
        revisions apart: `publish` adds them)."""
        await self.count(settings, ABSORBED, count, within)

    async def count(
        self, settings: TrackingSettings, query: str, at_least: int = 1, within: float = 30
    ) -> int:
        """Wait until a count query on the app's database reaches `at_least`; returns it."""
        engine = create_engine(settings.database)
        try:
            deadline = asyncio.get_running_loop().time() + within
            while True:
                async with engine.connect() as conn:
                    found = int((await conn.execute(text(query))).scalar() or 0)
                if found >= at_least or asyncio.get_running_loop().time() > deadline:
                    return found
                await asyncio.sleep(0.05)
        finally:
            await engine.dispose()

    @staticmethod
    def client(app: FastAPI) -> httpx.AsyncClient:
        """An HTTP client on the app (no network)."""
        return asgi_client(app, "tracking")

    async def read(
        self, topic: str, expected: int, within: float = 20, until: str | None = None
    ) -> list[Envelope]:
        """The events on `topic` from its start, once `expected` are read (or, with
        `until`, an event of that type), or `within` seconds have passed."""
        consumer = AIOKafkaConsumer(
            topic,
            **self.kafka.client_options(),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        found: list[Envelope] = []
        try:
            deadline = asyncio.get_running_loop().time() + within
            while asyncio.get_running_loop().time() < deadline:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    found += [decode(r.value) for r in records]
                if until is None and len(found) >= expected:
                    break
                if until is not None and any(e.event_type == until for e in found):
                    break
        finally:
            await consumer.stop()
        return found


@pytest.fixture
async def stack(
    kafka_settings: KafkaSettings,
    new_database: Callable[[], Awaitable[str]],
    topics: Topics,
    publish: Publisher,
    make_topic: Callable[..., Awaitable[str]],
) -> AsyncIterator[Stack]:
    yield Stack(kafka_settings, topics, publish, new_database, make_topic)
