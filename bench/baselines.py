"""The same-run ceilings the benchmarks compare against: raw aiokafka on the same broker."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from motcua.settings import KafkaSettings


async def raw_produce(
    kafka: KafkaSettings, topic: str, records: list[tuple[bytes, bytes]]
) -> float:
    """(key, value) records per second a bare idempotent `acks=all` producer sends."""
    producer = AIOKafkaProducer(
        **kafka.client_options(),
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    try:
        started = time.perf_counter()
        futures = [await producer.send(topic, value, key=key) for key, value in records]
        await asyncio.gather(*futures)
        return len(records) / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def _partitions(kafka: KafkaSettings, topics: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]


async def raw_consume(kafka: KafkaSettings, topics: list[str], n: int) -> float:
    """Records per second a bare consumer fetches and commits, from the beginning of the
    topics' partitions (assigned directly: no group join in the timing, and no records
    fetched in the background before the clock starts)."""
    consumer = AIOKafkaConsumer(
        **kafka.client_options(),
        group_id=f"raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    got = 0
    try:
        partitions = await _partitions(kafka, topics)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        started = time.perf_counter()
        while got < n:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            got += sum(len(records) for records in batch.values())
            await consumer.commit()
        return n / (time.perf_counter() - started)
    finally:
        await consumer.stop()
