"""Records the relay publishes name their event in Kafka headers (type, schema version,
correlation and event ids), so integrators route and trace without parsing the JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from motcua.events import Envelope, SatisfactionRated
from motcua.messaging import outbox
from motcua.messaging.kafka import idempotent_producer
from motcua.settings import KafkaSettings, OutboxSettings

pytestmark = pytest.mark.infra
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
async def producer(kafka_settings: KafkaSettings) -> AsyncIterator[AIOKafkaProducer]:
    p = idempotent_producer(kafka_settings, "test")
    await p.start()
    yield p
    await p.stop()


def _rated(code: str, caused_by: Envelope | None = None) -> Envelope:
    return Envelope.wrap(
        SatisfactionRated(score=5),
        producer="intake",
        occurred_at=NOW,
        now=NOW,
        dossier_code=code,
        agency_code="STP",
        caused_by=caused_by,
    )


async def _records(kafka: KafkaSettings, topic: str, count: int) -> list:
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_options(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list = []
    try:
        while len(records) < count:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def test_published_records_carry_type_version_and_correlation_headers(
    db_engine, db_sessions, producer, kafka_settings, make_topic
) -> None:
    topic = await make_topic("headers", partitions=2)
    first = _rated("STP-261120-0001")
    follow_up = _rated("STP-261120-0002", caused_by=first)
    async with db_sessions() as session, session.begin():
        await outbox.stage(session, first, follow_up, topic=topic)
    relay = outbox.OutboxRelay(db_engine, producer, OutboxSettings(), "test")
    while await relay.publish_pending():
        pass

    records = await _records(kafka_settings, topic, 2)

    headers = {r.key.decode(): {k: v.decode() for k, v in r.headers} for r in records}
    assert headers == {
        "STP-261120-0001": {
            "event-type": SatisfactionRated.event_type,
            "schema-version": str(SatisfactionRated.schema_version),
            "correlation-id": str(first.event_id),
            "event-id": str(first.event_id),
        },
        "STP-261120-0002": {
            "event-type": SatisfactionRated.event_type,
            "schema-version": str(SatisfactionRated.schema_version),
            "correlation-id": str(first.event_id),
            "event-id": str(follow_up.event_id),
        },
    }
