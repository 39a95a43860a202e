"""Fixtures of the intake tests: the app on a fresh database and the real broker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from motcua.clock import ManualClock
from motcua.settings import DatabaseSettings, KafkaSettings, OutboxSettings
from motcua.testing.serving import asgi_client, running
from motcua_intake.app import create_app
from motcua_intake.settings import BootstrapKey, IntakeSettings, TopicSettings

VIETNAM = timezone(timedelta(hours=7))
ADMIN_KEY = "test-admin-key-000000000000"
STP_KEY = "test-stp-key-0000000000000000"
SXD_KEY = "test-sxd-key-0000000000000000"


class Intake:
    """A running intake app, a client on it and a few shortcuts."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, clock: ManualClock) -> None:
        self.app = app
        self.client = client
        self.clock = clock

    def headers(self, key: str | None = STP_KEY, **extra: str) -> dict[str, str]:
        found = {"X-API-Key": key} if key else {}
        return {**found, **extra}

    async def post(self, path: str, body: Any, key: str | None = STP_KEY, **headers: str):
        return await self.client.post(path, json=body, headers=self.headers(key, **headers))

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.app.state.runtime.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    @property
    def topics(self) -> TopicSettings:
        return self.app.state.runtime.settings.topics

    async def outbox_count(self, topic: str | None = None) -> int:
        topic = topic or self.topics.dossier_events
        return await self.scalar("SELECT count(*) FROM outbox WHERE topic = :t", t=topic)


@pytest.fixture
def clock() -> ManualClock:
    """Friday 20 November 2026, 09:00 in Vietnam."""
    return ManualClock(datetime(2026, 11, 20, 9, 0, tzinfo=VIETNAM))


@pytest.fixture
async def intake_topics(make_topic: Callable[..., Any]) -> TopicSettings:
    """Topics of this test only, so tests never publish to the system's topics."""
    return TopicSettings(
        dossier_events=await make_topic("intake-dossiers", partitions=6),
        applicants=await make_topic("intake-applicants", partitions=6),
        catalogue=await make_topic("intake-catalogue", partitions=3),
        agencies=await make_topic("intake-agencies", partitions=3),
    )


@pytest.fixture
def intake_settings(
    fresh_database_url: str, kafka_settings: KafkaSettings, intake_topics: TopicSettings
) -> Callable[..., IntakeSettings]:
    """Settings on the test's database; keyword arguments override fields."""

    def make(**overrides: Any) -> IntakeSettings:
        values: dict[str, Any] = {
            "database": DatabaseSettings(url=fresh_database_url, pool_size=5),
            "kafka": kafka_settings,
            "bootstrap_keys": [
                BootstrapKey(key=ADMIN_KEY, scopes=["admin"]),
                BootstrapKey(key=STP_KEY, agency="STP"),
                BootstrapKey(key=SXD_KEY, agency="SXD"),
            ],
            "commands": {"enabled": False},
            # What a test staged stays in the outbox to be read; tests of delivery to
            # Kafka turn the relay on (`outbox=OutboxSettings()`).
            "outbox": OutboxSettings(enabled=False),
            "topics": intake_topics,
        }
        values.update(overrides)
        return IntakeSettings(**values)

    return make


@pytest.fixture
def start_intake(
    intake_settings: Callable[..., IntakeSettings], clock: ManualClock
) -> Callable[..., AbstractAsyncContextManager[Intake]]:
    """`async with start_intake(**settings) as intake:` runs the app with its lifespan."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Intake]:
        app = create_app(intake_settings(**overrides), clock=clock)
        async with running(app), asgi_client(app, "intake") as client:
            yield Intake(app, client, clock)

    return start


@pytest.fixture
async def intake(start_intake: Callable[..., AbstractAsyncContextManager[Intake]]):
    """The app with default settings (no Kafka command consumer)."""
    async with start_intake() as running:
        yield running


@pytest.fixture
def registration(clock: ManualClock) -> Callable[..., dict[str, Any]]:
    """A valid registration body for STP; keyword arguments replace fields."""

    def make(**fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "procedure_code": "2.001417",
            "agency_code": "STP",
            "unit_code": "STP.MC",
            "channel": "counter",
            "applicant": {
                "name": "Nguyễn Văn An",
                "national_id": "025090000123",
                "phone": "0912345678",
                "email": "an.nguyen@example.vn",
                "address": "Phường Việt Trì, Phú Thọ",
                "consent": {"email": True, "sms": True},
            },
            "components": [{"name": "Tờ khai", "copies": 1, "original": True}],
            "received_at": (clock.now() - timedelta(hours=1)).isoformat(),
            "digitised": True,
        }
        body.update(fields)
        return body

    return make


@pytest.fixture
def unique() -> Callable[[str], str]:
    """A unique name with a prefix (topics, idempotency keys, dossier codes)."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"
