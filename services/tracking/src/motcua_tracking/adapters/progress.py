"""How far a consumer group is behind on a topic (end offsets minus committed offsets)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from motcua.settings import KafkaSettings

__all__ = ["GroupProgress"]


class GroupProgress:
    """Reads a group's lag on one topic; start it before use, close it after."""

    def __init__(self, kafka: KafkaSettings, group: str, topic: str) -> None:
        self._kafka, self._group, self._topic = kafka, group, topic
        self._clients: tuple[AIOKafkaAdminClient, AIOKafkaConsumer] | None = None

    async def start(self) -> None:
        """Connect (clients are made here: they need the running event loop)."""
        admin = AIOKafkaAdminClient(**self._kafka.client_options())
        offsets = AIOKafkaConsumer(**self._kafka.client_options(), enable_auto_commit=False)
        await admin.start()
        await offsets.start()
        self._clients = (admin, offsets)

    async def close(self) -> None:
        """Disconnect."""
        if self._clients is not None:
            admin, offsets = self._clients
            self._clients = None
            await offsets.stop()
            await admin.close()

    async def lag(self) -> int:
        """Records on the topic the group has not committed yet."""
        if self._clients is None:
            raise RuntimeError("GroupProgress.lag() before start()")
        admin, offsets = self._clients
        described = await admin.describe_topics([self._topic])
        partitions = [
            TopicPartition(self._topic, item["partition"])
            for topic in described
            for item in topic.get("partitions", [])
        ]
        if not partitions:
            return 0
        ends = await offsets.end_offsets(partitions)
        committed = await admin.list_consumer_group_offsets(self._group, partitions=partitions)
        behind = 0
        for partition in partitions:
            done = committed.get(partition)
            behind += max(ends[partition] - max(done.offset if done else 0, 0), 0)
        return behind
