"""Pytest fixtures on the real Kafka and PostgreSQL (registered by the root conftest).

Where those are (the `_infrastructure` fixture) is the dev-only
`motcua_devstack.pytest_plugin`'s, which the root conftest registers as well.

Each test gets its own database and its own topics, so tests never see each other's data.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.db import Sessions, create_engine, sessions
from motcua.events.topics import TopicSpec, all_topics
from motcua.messaging.provisioning import ensure_topics
from motcua.messaging.schema import create_messaging_tables
from motcua.settings import DatabaseSettings, KafkaSettings
from motcua.testing.servers import (
    SESSION_TOPICS,
    create_database,
    create_topics,
    drop_database,
)

__all__ = [
    "database_base_url",
    "db_engine",
    "db_sessions",
    "fresh_database_url",
    "kafka_settings",
    "make_topic",
]


@pytest.fixture(scope="session")
def kafka_settings(_infrastructure: tuple[KafkaSettings, str]) -> Iterator[KafkaSettings]:
    """The real broker, signed in as the operator where it asks for a sign-in, with every
    topic of the system created. Build every test's Kafka client from it
    (`AIOKafkaProducer(**kafka_settings.client_options())`). The topics the session's
    tests created are deleted when it ends; the system's stay."""
    kafka = _infrastructure[0]
    asyncio.run(ensure_topics(kafka, all_topics()))
    yield kafka
    asyncio.run(SESSION_TOPICS.delete(kafka))


@pytest.fixture(scope="session")
def database_base_url(_infrastructure: tuple[KafkaSettings, str]) -> str:
    """The real PostgreSQL server's URL, without a database name."""
    return _infrastructure[1].rstrip("/")


@pytest.fixture
async def fresh_database_url(database_base_url: str) -> AsyncIterator[str]:
    """A new, empty database for this test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    await create_database(database_base_url, name)
    yield f"{database_base_url}/{name}"
    await drop_database(database_base_url, name)


@pytest.fixture
async def db_engine(fresh_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh database holding the messaging tables."""
    engine = create_engine(DatabaseSettings(url=fresh_database_url, pool_size=5))
    async with engine.begin() as conn:
        await conn.run_sync(create_messaging_tables)
    yield engine
    await engine.dispose()


@pytest.fixture
def db_sessions(db_engine: AsyncEngine) -> Sessions:
    """Sessions on the test's database."""
    return sessions(db_engine)


@pytest.fixture
def make_topic(kafka_settings: KafkaSettings) -> Callable[..., Awaitable[str]]:
    """Create a topic with a unique name: `await make_topic("orders", partitions=3)`."""

    async def _make(name: str = "events", partitions: int = 1) -> str:
        topic = f"test.{name}.{uuid.uuid4().hex[:10]}.v1"
        await create_topics(kafka_settings, [TopicSpec(topic, partitions)])
        return topic

    return _make
