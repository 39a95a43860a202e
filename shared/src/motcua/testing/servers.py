"""Per-test databases and topics on the Kafka broker and PostgreSQL server tests run against.

Which broker and server those are is the dev-only `motcua_devstack.testing`'s business
(the environment, a running local stack, containers, or the stack started on demand);
these helpers take them as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from motcua.db import asyncpg_dsn, ensure_databases, quote_identifier
from motcua.events.topics import TopicSpec
from motcua.messaging.provisioning import ensure_topics
from motcua.settings import KafkaSettings

__all__ = [
    "SESSION_TOPICS",
    "CreatedTopics",
    "create_database",
    "create_topics",
    "database_url",
    "drop_database",
]

_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def database_url(base_url: str, name: str) -> str:
    """The SQLAlchemy URL of database `name` on the server of `base_url`."""
    return f"{base_url.rstrip('/')}/{name}"


def _checked(name: str) -> str:
    if not _DATABASE_NAME.fullmatch(name):
        raise ValueError(f"database name {name!r} must match {_DATABASE_NAME.pattern}")
    return name


async def create_database(base_url: str, name: str) -> str:
    """Create database `name` (if missing) for one test; return its SQLAlchemy URL."""
    await ensure_databases(base_url, [_checked(name)])
    return database_url(base_url, name)


async def drop_database(base_url: str, name: str) -> None:
    """Drop database `name`, closing its connections first."""
    connection = await asyncpg.connect(asyncpg_dsn(base_url), timeout=10)
    try:
        identifier = quote_identifier(_checked(name))
        await connection.execute(f"DROP DATABASE IF EXISTS {identifier} WITH (FORCE)")
    finally:
        await connection.close()


class CreatedTopics:
    """Topics to delete when the test session ends. A broker that serves test run after
    test run would otherwise pile up partitions, each holding files open, until it stops
    with "Too many open files". Only what this session created is deleted: another session
    on the same broker keeps its topics."""

    PER_REQUEST = 200

    def __init__(self) -> None:
        self.names: set[str] = set()

    async def delete(self, settings: KafkaSettings) -> int:
        """Delete the topics; return how many."""
        names = sorted(self.names)
        if not names:
            return 0
        admin = AIOKafkaAdminClient(**settings.client_options(), request_timeout_ms=60_000)
        await admin.start()
        try:
            for start in range(0, len(names), self.PER_REQUEST):
                await admin.delete_topics(names[start : start + self.PER_REQUEST])
        finally:
            await admin.close()
        self.names.difference_update(names)
        return len(names)


SESSION_TOPICS = CreatedTopics()
"""The topics this test session created (`create_topics`); the `kafka_settings` fixture
deletes them at its end."""


async def create_topics(settings: KafkaSettings, specs: Iterable[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet (for example unique per test); return those.
    They are deleted when the test session ends (`SESSION_TOPICS`)."""
    created = await ensure_topics(settings, specs)
    SESSION_TOPICS.names.update(created)
    return created
