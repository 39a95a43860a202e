"""The whole tracking app on the real broker and database, one consumer group per app."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import text

from motcua.clock import ManualClock
from motcua.db import create_engine
from motcua.events import Envelope, TopicSpec, dead_letter_topic, decode, encode, redrive_topic
from motcua.events.topics import APPLICANTS
from motcua.settings import ConsumerSettings, DatabaseSettings, KafkaSettings, OutboxSettings
from motcua.testing import create_database, create_topics, drop_database
from motcua.testing.catalogue import revisions_named
from motcua_tracking.app import create_app
from motcua_tracking.settings import ApiSettings, TimerSettings, TopicSettings, TrackingSettings

OFFICIAL_TOKEN = "official-test-token"
ADMIN_TOKEN = "admin-test-token"


class Stack:
    """Topics, a producer and helpers shared by the apps of one test."""

    def __init__(self, kafka: KafkaSettings, base_url: str, producer: AIOKafkaProducer) -> None:
        self.kafka = kafka
        self.base_url = base_url
        self.producer = producer
        self.dossier_topic = ""
        self.applicants_topic = ""
        self.catalogue_topic = ""
        self.agencies_topic = ""
        self.databases: list[str] = []

    async def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        await create_database(self.base_url, name)
        self.databases.append(name)
        return f"{self.base_url}/{name}"

    async def new_output(self) -> str:
        topic = f"test.tracking-out.{uuid.uuid4().hex[:10]}.v1"
        await create_topics(self.kafka, [TopicSpec(topic, 3)])
        return topic

    async def settings(
        self, database_url: str, *, service: str | None = None, output: str | None = None
    ) -> TrackingSettings:
        service = service or f"tracking-{uuid.uuid4().hex[:8]}"
        await create_topics(self.kafka, [dead_letter_topic(service), redrive_topic(service)])
        return TrackingSettings(
            service_name=service,
            database=DatabaseSettings(url=database_url, pool_size=4, max_overflow=4),
            kafka=self.kafka,
            topics=TopicSettings(
                dossier_events=self.dossier_topic,
                applicants=self.applicants_topic,
                procedures=self.catalogue_topic,
                agencies=self.agencies_topic,
                publish_to=output or await self.new_output(),
            ),
            consumer=ConsumerSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.05),
            outbox=OutboxSettings(idle_poll_seconds=0.02),
            timers=TimerSettings(poll_seconds=0.05, gauge_seconds=0.2),
            api=ApiSettings(official_token=OFFICIAL_TOKEN, admin_token=ADMIN_TOKEN),
        )

    async def publish(
        self, *envelopes: Envelope, topic: str | None = None, revisions: bool = True
    ) -> None:
        """Send to `topic`, else to the test's applicants or dossier topic, by event; the
        catalogue revisions the receptions name go first, as intake publishes them
        (unless `revisions` is false)."""
        for revision in revisions_named(envelopes) if revisions else ():
            await self.producer.send_and_wait(
                self.catalogue_topic, encode(revision), key=revision.key.encode()
            )
        for envelope in envelopes:
            mine = self.applicants_topic if envelope.topic == APPLICANTS.name else None
            await self.producer.send_and_wait(
                topic or mine or self.dossier_topic, encode(envelope), key=envelope.key.encode()
            )

    @contextlib.asynccontextmanager
    async def running(
        self, settings: TrackingSettings, clock: ManualClock
    ) -> AsyncIterator[FastAPI]:
        app = create_app(settings, clock=clock)
        async with app.router.lifespan_context(app):
            yield app

    async def applied(self, settings: TrackingSettings, count: int, within: float = 30) -> None:
        """Wait until an app's consumers have applied `count` events (the catalogue's
        revisions apart: `publish` adds them)."""
        query = "SELECT count(*) FROM processed_events WHERE consumer <> 'tracking.procedures'"
        await self.count(settings, query, count, within)

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
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tracking")

    async def read(self, topic: str, expected: int, within: float = 20) -> list[Envelope]:
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
            while len(found) < expected and asyncio.get_running_loop().time() < deadline:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    found += [decode(r.value) for r in records]
        finally:
            await consumer.stop()
        return found


@pytest.fixture
async def stack(
    kafka_settings: KafkaSettings,
    database_base_url: str,
    make_topic: Callable[..., Awaitable[str]],
) -> AsyncIterator[Stack]:
    producer = AIOKafkaProducer(**kafka_settings.client_options(), enable_idempotence=True)
    await producer.start()
    made = Stack(kafka_settings, database_base_url, producer)
    made.dossier_topic = await make_topic("dossier-events", partitions=3)
    made.applicants_topic = await make_topic("applicants", partitions=3)
    made.catalogue_topic = await make_topic("procedures", partitions=1)
    made.agencies_topic = await make_topic("agencies", partitions=1)
    yield made
    await producer.stop()
    for name in made.databases:
        await drop_database(database_base_url, name)
