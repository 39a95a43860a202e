"""Kafka clients with the project's defaults: idempotent producer, topic creation, and the
broker's sign-in for faststream, all from `KafkaSettings`."""

from __future__ import annotations

import contextlib

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.security import BaseSecurity, SASLScram256, SASLScram512

from motcua.events.topics import TopicSpec
from motcua.settings import KafkaSettings

__all__ = ["broker_security", "create_topics", "idempotent_producer"]


def broker_security(settings: KafkaSettings) -> BaseSecurity | None:
    """The sign-in of a faststream `KafkaBroker` (None on a PLAINTEXT listener)."""
    if settings.security_protocol == "PLAINTEXT":
        return None
    scram = SASLScram512 if settings.sasl_mechanism == "SCRAM-SHA-512" else SASLScram256
    options = settings.client_options()
    return scram(
        options["sasl_plain_username"],
        options["sasl_plain_password"],
        ssl_context=options.get("ssl_context"),
        use_ssl=settings.security_protocol == "SASL_SSL",
    )


def idempotent_producer(settings: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    """A producer that never duplicates or reorders on retry (`acks=all`, idempotence on)."""
    return AIOKafkaProducer(
        **settings.client_options(),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=settings.linger_ms,
        max_batch_size=256 * 1024,
        request_timeout_ms=settings.request_timeout_ms,
    )


async def create_topics(settings: KafkaSettings, specs: list[TopicSpec]) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(**settings.client_options())
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
