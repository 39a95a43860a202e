"""Fixtures: the fake portal on loopback, topics and databases of one test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from portal_harness import PASSWORD, FakePortal, Harness

from motcua.settings import KafkaSettings
from motcua.testing.kafka import Publisher
from motcua.testing.serving import serving
from motcua.testing.topics import Topics
from motcua_devstack.fake_dvcqg import create_app as create_fake_portal


@pytest.fixture
async def fake() -> AsyncIterator[FakePortal]:
    app = create_fake_portal(password=PASSWORD)
    async with serving(app, lifespan="off") as served:
        portal = FakePortal(served.url, app)
        yield portal
        await portal.http.aclose()


@pytest.fixture
def harness(
    kafka_settings: KafkaSettings,
    topics: Topics,
    publish: Publisher,
    new_database: Callable[[], Awaitable[str]],
) -> Harness:
    return Harness(kafka_settings, topics, publish, new_database)
