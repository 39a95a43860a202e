"""Kafka in tests: publishing envelopes as their producers do, and reading what a test's
actions published on a shared topic (where each partition ends now, then the records that
follow)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from motcua.events import Envelope, encode
from motcua.events.topics import TopicSpec
from motcua.messaging.kafka import idempotent_producer
from motcua.settings import KafkaSettings
from motcua.testing.catalogue import revisions_named
from motcua.testing.topics import Topics

__all__ = ["Publisher", "end_offsets", "publishing", "read_since"]


class Publisher:
    """Sends envelopes as intake and tracking publish them: each keyed as its producer
    keys it and acknowledged before the next, after the catalogue revisions the receptions
    among them name (intake publishes a revision before any reception names it)."""

    def __init__(self, producer: AIOKafkaProducer, topics: Topics) -> None:
        self.producer = producer
        self.topics = topics

    async def __call__(
        self, topic: str | None, *envelopes: Envelope, revisions: bool = True
    ) -> None:
        """Send `envelopes` to `topic` (None: each to the test's topic of its kind), the
        revisions first on the test's catalogue topic (unless `revisions` is false)."""
        for revision in revisions_named(envelopes) if revisions else ():
            await self.send(self.topics.catalogue, revision)
        for envelope in envelopes:
            await self.send(topic or self.topics.of(envelope), envelope)

    async def send(self, topic: str, envelope: Envelope) -> None:
        """Send one envelope, as it is, and wait for the broker's acknowledgement."""
        await self.producer.send_and_wait(topic, encode(envelope), key=envelope.key.encode())


@asynccontextmanager
async def publishing(
    kafka: KafkaSettings, topics: Topics, client_id: str = "motcua-tests"
) -> AsyncIterator[Publisher]:
    """A `Publisher` on the test's topics, its idempotent producer closed after the block."""
    producer = idempotent_producer(kafka, client_id)
    await producer.start()
    try:
        yield Publisher(producer, topics)
    finally:
        await producer.stop()


async def end_offsets(kafka: KafkaSettings, spec: TopicSpec) -> dict[TopicPartition, int]:
    """Where each partition of a topic ends now: a test reads only what follows."""
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(spec.name, p) for p in range(spec.partitions)]
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return ends
    finally:
        await consumer.stop()


async def read_since(
    kafka: KafkaSettings,
    start: dict[TopicPartition, int],
    wanted: Callable[[list[Any]], bool],
    patience: float = 30.0,
) -> list[Any]:
    """Records after `start` until `wanted(records)` holds; fails after `patience` s."""
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await consumer.start()
    records: list[Any] = []
    try:
        consumer.assign(list(start))
        for partition, offset in start.items():
            consumer.seek(partition, offset)
        deadline = asyncio.get_running_loop().time() + patience
        while not wanted(records):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"only {len(records)} records arrived")
            batch = await consumer.getmany(timeout_ms=200)
            for partition_records in batch.values():
                records.extend(partition_records)
        return records
    finally:
        await consumer.stop()
