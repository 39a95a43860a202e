"""Reading what a test's actions published on a shared topic: where each partition ends
now, then the records that follow."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from motcua.events.topics import TopicSpec
from motcua.settings import KafkaSettings

__all__ = ["end_offsets", "read_since"]


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
