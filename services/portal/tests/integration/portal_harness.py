"""The portal app on the real broker and database, and the fake portal served over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from fastapi import FastAPI

from motcua.events import Envelope
from motcua.settings import ConsumerSettings, DatabaseSettings, KafkaSettings, OutboxSettings
from motcua.testing.kafka import Publisher
from motcua.testing.serving import asgi_client, running
from motcua.testing.topics import Topics, new_service
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
    """The test's topics, databases and publisher, for its portal apps."""

    def __init__(
        self,
        kafka: KafkaSettings,
        topics: Topics,
        publisher: Publisher,
        new_database: Callable[[], Awaitable[str]],
    ) -> None:
        self.kafka = kafka
        self.topics = topics
        self.publisher = publisher
        self.new_database = new_database

    async def settings(self, fake: FakePortal, **sync: Any) -> PortalSettings:
        options = {
            "idle_poll_seconds": 0.05,
            "backoff_initial_seconds": 0.05,
            "backoff_max_seconds": 0.3,
            "max_attempts": 3,
            "unmapped_procedure": "local_code",
            "gauge_seconds": 0.2,
            "batch_size": 3,
        } | sync
        database_url = await self.new_database()
        return PortalSettings(
            service_name=await new_service(self.kafka, "portal"),
            database=DatabaseSettings(url=database_url, pool_size=4, max_overflow=4),
            kafka=self.kafka,
            topics=self.topics.wire(TopicSettings),
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
        """Send each event to the test's topic of its kind, the catalogue revisions the
        receptions name first, as intake publishes them."""
        await self.publisher(None, *envelopes)

    def running(self, settings: PortalSettings) -> AbstractAsyncContextManager[FastAPI]:
        return running(create_app(settings))

    @staticmethod
    def client(app: FastAPI) -> httpx.AsyncClient:
        return asgi_client(app, "portal")
