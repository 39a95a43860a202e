from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from motcua.db import asyncpg_dsn
from motcua.events.topics import SERVICES, TopicSpec
from motcua.testing import create_database, create_topics, drop_database
from motcua_devstack.testing import (
    Infrastructure,
    InfrastructureUnavailable,
    resolve_infrastructure,
)

pytestmark = pytest.mark.infra


async def test_a_message_goes_through_the_broker_in_key_order(
    infrastructure: Infrastructure,
) -> None:
    topic = f"test.devstack-{uuid.uuid4().hex[:8]}.v1"
    assert await create_topics(infrastructure.kafka, [TopicSpec(topic, 3)])
    assert await create_topics(infrastructure.kafka, [TopicSpec(topic, 3)]) == []
    key = b"H12.01-240101-0001"
    producer = AIOKafkaProducer(**infrastructure.kafka.client_options(), enable_idempotence=True)
    await producer.start()
    try:
        for n in range(5):
            await producer.send_and_wait(topic, str(n).encode(), key=key)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        **infrastructure.kafka.client_options(),
        group_id=f"devstack-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    received: list[bytes] = []
    try:
        async with asyncio.timeout(60):
            async for message in consumer:
                received.append(message.value)
                if len(received) == 5:
                    break
    finally:
        await consumer.stop()

    assert received == [b"0", b"1", b"2", b"3", b"4"]


async def test_every_service_has_its_database(infrastructure: Infrastructure) -> None:
    for service in SERVICES:
        connection = await asyncpg.connect(asyncpg_dsn(infrastructure.database_url, service))
        try:
            assert await connection.fetchval("SELECT current_database()") == service
        finally:
            await connection.close()


async def test_a_test_database_is_created_and_dropped(infrastructure: Infrastructure) -> None:
    name = f"t_{uuid.uuid4().hex[:12]}"

    url = await create_database(infrastructure.database_url, name)
    connection = await asyncpg.connect(asyncpg_dsn(url, name))
    await connection.execute("CREATE TABLE dossier (code text PRIMARY KEY)")
    await drop_database(infrastructure.database_url, name)

    assert connection.is_closed() or not await _still_usable(connection)
    admin = await asyncpg.connect(asyncpg_dsn(infrastructure.database_url))
    try:
        assert await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name) is None
    finally:
        await admin.close()


async def _still_usable(connection: asyncpg.Connection) -> bool:
    try:
        await connection.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError):
        return False
    return True


def test_a_configured_broker_that_does_not_answer_fails_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch, infrastructure: Infrastructure
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    monkeypatch.setenv("DATABASE_URL", infrastructure.database_url)

    with pytest.raises(InfrastructureUnavailable, match=r"127\.0\.0\.1:9"):
        resolve_infrastructure()
