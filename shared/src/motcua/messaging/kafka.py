"""Kafka clients with the project's defaults: idempotent producer, topic creation."""

from __future__ import annotations

import contextlib

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from motcua.events.topics import TopicSpec
from motcua.settings import KafkaSettings

__all__ = ["create_topics", "idempotent_producer"]


def idempotent_producer(settings: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    """A producer that never duplicates or reorders on retry (`acks=all`, idempotence on)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=settings.linger_ms,
        max_batch_size=256 * 1024,
        request_timeout_ms=settings.request_timeout_ms,
    )


async def create_topics(bootstrap_servers: str, specs: list[TopicSpec]) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(s.name, s.partitions, 1, topic_configs=s.configs())
            for s in specs
            if s.name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()
