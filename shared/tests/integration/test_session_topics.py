"""The topics a test session creates are deleted when it ends; no one else's are."""

from __future__ import annotations

import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from motcua.events.topics import TopicSpec
from motcua.messaging.provisioning import ensure_topics
from motcua.settings import KafkaSettings
from motcua.testing import create_topics, eventually
from motcua.testing.servers import SESSION_TOPICS, CreatedTopics

pytestmark = pytest.mark.infra


def _name(label: str) -> str:
    return f"test.{label}.{uuid.uuid4().hex[:10]}.v1"


async def _names(kafka: KafkaSettings) -> set[str]:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_the_session_deletes_what_it_created(kafka_settings: KafkaSettings) -> None:
    name = _name("session")
    assert await create_topics(kafka_settings, [TopicSpec(name, 1)]) == [name]
    assert name in SESSION_TOPICS.names
    # A topic that was there already is not the session's to delete.
    assert await create_topics(kafka_settings, [TopicSpec(name, 1)]) == []


async def test_deleting_leaves_other_topics_standing(kafka_settings: KafkaSettings) -> None:
    mine, theirs = _name("mine"), _name("theirs")
    await ensure_topics(kafka_settings, [TopicSpec(mine, 2), TopicSpec(theirs, 1)])
    made = CreatedTopics()
    made.names.add(mine)
    assert await made.delete(kafka_settings) == 1
    assert made.names == set()

    async def gone() -> bool | None:
        names = await _names(kafka_settings)
        return (mine not in names and theirs in names) or None

    assert await eventually(gone)
    SESSION_TOPICS.names.add(theirs)  # deleted with the session's own
