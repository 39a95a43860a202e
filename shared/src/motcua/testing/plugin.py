"""The pytest plugin of the test kit (the root conftest registers it): on the real Kafka
and PostgreSQL of `motcua.testing.fixtures`, a test's own topics, a publisher on them,
databases and apps served on loopback, all cleaned up after the test.

What a test imports rather than requests: `eventually` and `free_port`
(`motcua.testing.waiting`), `ManualClock` (`motcua.clock`), the event factories
(`motcua.testing.events`, `motcua.testing.catalogue`), the checks of the HTTP edge
(`motcua.testing.http`) and the counts of a service's database
(`motcua.testing.database`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from motcua.settings import KafkaSettings
from motcua.testing.kafka import Publisher, publishing
from motcua.testing.servers import create_database, drop_database
from motcua.testing.serving import Served, serve
from motcua.testing.topics import Topics, make_topics

pytest_plugins = ["motcua.testing.fixtures"]

__all__ = ["new_database", "publish", "serve_app", "topics"]


@pytest.fixture
async def topics(kafka_settings: KafkaSettings) -> Topics:
    """This test's own topics, one for each thing the services carry; a service's settings
    on them: `topics.wire(TopicSettings)`."""
    return await make_topics(kafka_settings)


@pytest.fixture
async def publish(kafka_settings: KafkaSettings, topics: Topics) -> AsyncIterator[Publisher]:
    """`await publish(topic, *envelopes)`: send envelopes as intake and tracking do, after
    the catalogue revisions the receptions among them name (on `topics.catalogue`); a
    `topic` of None sends each to the test's topic of its kind."""
    async with publishing(kafka_settings, topics) as publisher:
        yield publisher


@pytest.fixture
async def new_database(database_base_url: str) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """`await new_database()`: the URL of a new, empty database, dropped after the test."""
    made: list[str] = []

    async def make() -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        await create_database(database_base_url, name)
        made.append(name)
        return f"{database_base_url}/{name}"

    yield make
    for name in made:
        await drop_database(database_base_url, name)


@pytest.fixture
async def serve_app() -> AsyncIterator[Callable[..., Awaitable[Served]]]:
    """`await serve_app(app, credentials={...})`: the app served by uvicorn on a free
    loopback port, its lifespan run (`lifespan="off"` not), stopped after the test unless
    the test stopped it. Request it after the fixtures of what the app uses (its
    database), so that it stops before they go."""
    running: list[Served] = []

    async def start(app: Any, **options: Any) -> Served:
        served = await serve(app, **options)
        running.append(served)
        return served

    yield start
    for served in reversed(running):
        if not served.task.done():
            await served.stop()
