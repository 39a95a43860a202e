"""The portal app on the real broker and database, and the fake portal served over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from motcua.events import ApplicantEvent, Envelope, dead_letter_topic, encode, redrive_topic
from motcua.settings import ConsumerSettings, DatabaseSettings, KafkaSettings, OutboxSettings
from motcua.testing import create_database, create_topics
from motcua.testing.catalogue import revisions_named
from motcua_portal.app import create_app
from motcua_portal.settings import (
    ApiSettings,
    DvcqgSettings,
    PortalSettings,
    SyncSettings,
    TopicSettings,
)

ADMIN = {"Authorization": "Bearer admin-test-token"}
PASSWORD = "fake-portal-password"


class FakePortal:
    """The fake DVCQG served on loopback, with its control endpoints."""

    def __init__(self, url: str, app: FastAPI) -> None:
        self.url = url
        self.state = app.state.portal
        self.http = httpx.AsyncClient(base_url=url, timeout=10)

    async def received(self, code: str) -> dict[str, Any]:
        return (await self.http.get("/_received", params={"MaHoSo": code})).json()

    async def mode(self, mode: str, times: int = 1, code: str | None = None) -> None:
        body = {"mode": mode, "times": times, "MaHoSo": code}
        (await self.http.post("/_mode", json=body)).raise_for_status()

    async def clear(self) -> None:
        (await self.http.delete("/_mode")).raise_for_status()

    async def configure(self, **config: Any) -> None:
        (await self.http.post("/_config", json=config)).raise_for_status()


class Harness:
    """Topics, a database and a producer for one test's portal app."""

    def __init__(self, kafka: KafkaSettings, base_url: str, producer: AIOKafkaProducer) -> None:
        self.kafka = kafka
        self.base_url = base_url
        self.producer = producer
        self.topics = TopicSettings()
        self.databases: list[str] = []

    async def settings(self, fake: FakePortal, **sync: Any) -> PortalSettings:
        name = f"t_{uuid.uuid4().hex[:16]}"
        await create_database(self.base_url, name)
        self.databases.append(name)
        service = f"portal-{uuid.uuid4().hex[:8]}"
        await create_topics(self.kafka, [dead_letter_topic(service), redrive_topic(service)])
        options = {
            "idle_poll_seconds": 0.05,
            "backoff_initial_seconds": 0.05,
            "backoff_max_seconds": 0.3,
            "max_attempts": 3,
            "unmapped_procedure": "local_code",
            "gauge_seconds": 0.2,
            "batch_size": 3,
        } | sync
        return PortalSettings(
            service_name=service,
            database=DatabaseSettings(url=f"{self.base_url}/{name}", pool_size=4, max_overflow=4),
            kafka=self.kafka,
            topics=self.topics,
            consumer=ConsumerSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.05),
            outbox=OutboxSettings(idle_poll_seconds=0.05),
            dvcqg=DvcqgSettings(
                adapter_url=fake.url,
                password=PASSWORD,
                dstcode="PTO",
                read_timeout_seconds=0.5,
                connect_timeout_seconds=0.5,
                calls_per_second=500,
            ),
            sync=SyncSettings(**options),
            api=ApiSettings(official_token="official-test-token", admin_token="admin-test-token"),
        )

    async def publish(self, *envelopes: Envelope) -> None:
        """Send each event to its topic, the catalogue revisions the receptions name
        first, as intake publishes them."""
        for revision in revisions_named(envelopes):
            key = revision.key.encode()
            await self.producer.send_and_wait(self.topics.procedures, encode(revision), key=key)
        for envelope in envelopes:
            if isinstance(envelope.data, ApplicantEvent):
                topic = self.topics.applicants
            elif envelope.producer == "tracking":
                topic = self.topics.tracking_events
            else:
                topic = self.topics.dossier_events
            await self.producer.send_and_wait(topic, encode(envelope), key=envelope.key.encode())

    @contextlib.asynccontextmanager
    async def running(self, settings: PortalSettings) -> AsyncIterator[FastAPI]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            yield app

    @staticmethod
    def client(app: FastAPI) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal")


async def eventually(
    probe: Callable[[], Awaitable[Any]], until: Callable[[Any], bool], within: float = 30
) -> Any:
    """Probe until the condition holds; the last value either way."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await probe()
        if until(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)
