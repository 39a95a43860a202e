"""The consumer under faults, on the real broker and database: a PostgreSQL shutdown
mid-batch, the dead-letter bookkeeping failing after the batch was applied, the
dead-letter publish failing."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from motcua.db import Sessions
from motcua.events import Envelope, SatisfactionRated, encode
from motcua.events.topics import dead_letter_topic
from motcua.messaging.consumer import IdempotentConsumer, PermanentError
from motcua.messaging.deadletters import DeadLetterPublisher
from motcua.messaging.kafka import broker_security, idempotent_producer
from motcua.settings import ConsumerSettings, KafkaSettings
from motcua.testing import create_topics

pytestmark = pytest.mark.infra
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def event(code: str, score: int = 4) -> Envelope:
    return Envelope.wrap(
        SatisfactionRated(score=score),
        producer="intake",
        occurred_at=NOW,
        now=NOW,
        dossier_code=code,
        agency_code="STP",
    )


@pytest.fixture
async def effects(db_engine: AsyncEngine) -> AsyncEngine:
    async with db_engine.begin() as conn:
        await conn.execute(text("CREATE TABLE effects (id bigserial primary key, event_id uuid)"))
    return db_engine


@pytest.fixture
async def producer(kafka_settings: KafkaSettings) -> AsyncIterator[AIOKafkaProducer]:
    p = idempotent_producer(kafka_settings, "test")
    await p.start()
    yield p
    await p.stop()


async def record_effects(session: AsyncSession, envelopes: list[Envelope]) -> None:
    for e in envelopes:
        if isinstance(e.data, SatisfactionRated) and e.data.score == 1:
            raise PermanentError("unhappy", "score 1 is refused by this test handler")
    await session.execute(
        text("INSERT INTO effects (event_id) VALUES (:i)"), [{"i": e.event_id} for e in envelopes]
    )


async def applied(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT event_id FROM effects ORDER BY id"))
        return list(rows.scalars())


async def stored_letters(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(text('SELECT reason FROM dead_letters ORDER BY "offset"'))
        return list(rows.scalars())


async def letters_on(kafka: KafkaSettings, dlq: str, topic: str) -> list[str]:
    """The reasons of the dead letters of `topic` on the DLQ (read to its current end)."""
    consumer = AIOKafkaConsumer(
        dlq, **kafka.client_options(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = consumer.assignment() or set()
        while not partitions:
            await asyncio.sleep(0.05)
            partitions = consumer.assignment()
        ends = await consumer.end_offsets(list(partitions))
        out = []
        while [p for p, end in ends.items() if await consumer.position(p) < end]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out.extend(records)
        return [
            dict(r.headers)["x-dlq-reason"].decode()
            for r in out
            if dict(r.headers).get("x-dlq-original-topic") == topic.encode()
        ]
    finally:
        await consumer.stop()


async def until(predicate: Callable[[], Any]) -> None:
    """Poll `predicate` until it holds (callers bound the wait with `asyncio.wait_for`)."""
    for _ in itertools.count():
        if await predicate():
            return
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def consuming(
    kafka: KafkaSettings, consumer: IdempotentConsumer, topic: str
) -> AsyncIterator[None]:
    broker = KafkaBroker(kafka.bootstrap_servers, security=broker_security(kafka))
    consumer.subscribe(broker, topic, group_id=f"g-{topic}")
    await broker.start()
    try:
        yield
    finally:
        await broker.stop()


def make_consumer(
    name: str, sessions: Sessions, handler: Any, dead_letters: DeadLetterPublisher
) -> IdempotentConsumer:
    return IdempotentConsumer(
        name=name,
        service="test",
        sessions=sessions,
        handler=handler,
        dead_letters=dead_letters,
        settings=ConsumerSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.05),
    )


async def test_a_database_shutdown_mid_batch_dead_letters_no_valid_event(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    """PostgreSQL terminating the connections (asyncpg's `AdminShutdownError`, a plain
    `DBAPIError` to SQLAlchemy) is the database's fault, not the events': the batch is
    read again once it is back, and no valid event is dead-lettered."""
    topic = await make_topic("shutdown", partitions=1)
    events = [event(f"STP-261120-{i:04d}") for i in range(3)]
    for e in events:
        await producer.send_and_wait(topic, encode(e), key=e.key.encode())
    terminated = 0

    async def shut_down_six_times(session: AsyncSession, envelopes: list[Envelope]) -> None:
        nonlocal terminated
        if terminated < 6:
            terminated += 1
            await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        await record_effects(session, envelopes)

    service = f"faults{id(effects) % 100000}"
    await create_topics(kafka_settings, [dead_letter_topic(service)])
    publisher = DeadLetterPublisher(producer, db_sessions, service)
    consumer = make_consumer("shutdown", db_sessions, shut_down_six_times, publisher)

    async def all_applied_or_one_dead_lettered() -> bool:
        return await _count(effects, 3) or bool(await stored_letters(effects))

    async with consuming(kafka_settings, consumer, topic):
        await asyncio.wait_for(until(all_applied_or_one_dead_lettered), 60)
    assert terminated == 6
    assert sorted(await applied(effects)) == sorted(e.event_id for e in events)
    assert await stored_letters(effects) == []


async def _count(engine: AsyncEngine, n: int) -> bool:
    return len(await applied(engine)) == n


class FlakySessions:
    """The test database's sessions, but opening the `fail_on`-th one raises."""

    def __init__(self, sessions: Sessions, fail_on: int, error: Exception) -> None:
        self._sessions = sessions
        self._fail_on = fail_on
        self._error = error
        self.opened = 0

    def __call__(self) -> Any:
        self.opened += 1
        if self.opened == self._fail_on:
            raise self._error
        return self._sessions()


async def test_a_failed_dead_letter_record_retries_it_without_reading_the_batch_again(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    """The batch is applied, its dead letter sent, then recording the letter fails: only
    the recording is tried again. Applied events are not read again, the letter is not
    sent twice."""
    service = f"faults{id(effects) % 100000}"
    dlq = dead_letter_topic(service)
    await create_topics(kafka_settings, [dlq])
    topic = await make_topic("record", partitions=1)
    good, refused, later = event("B-1", 4), event("B-1", 1), event("B-1", 5)
    for e in (good, refused, later):
        await producer.send_and_wait(topic, encode(e), key=b"B-1")

    # Sessions opened by the publisher: 1 the look-up of letters sent before, 2 the record.
    flaky = FlakySessions(db_sessions, 2, ConnectionError("database connection lost"))
    publisher = DeadLetterPublisher(producer, flaky, service)  # type: ignore[arg-type]
    consumer = make_consumer("record", db_sessions, record_effects, publisher)
    async with consuming(kafka_settings, consumer, topic):
        await asyncio.wait_for(until(lambda: _count(effects, 2)), 60)
        await asyncio.wait_for(until(lambda: _has_letters(effects, 1)), 60)
    assert flaky.opened >= 2
    assert await applied(effects) == [good.event_id, later.event_id]
    assert await stored_letters(effects) == ["unhappy"]
    assert await letters_on(kafka_settings, dlq.name, topic) == ["unhappy"]
    read_again = REGISTRY.get_sample_value(
        "motcua_consumer_duplicates_total", {"app": "test", "topic": topic}
    )
    assert not read_again


async def _has_letters(engine: AsyncEngine, n: int) -> bool:
    return len(await stored_letters(engine)) == n


class FailingOnce:
    """A producer whose first `send` fails with a non-infrastructure error."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self.failed = asyncio.Event()

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        if not self.failed.is_set():
            self.failed.set()
            raise RuntimeError("the dead-letter publish failed")
        return await self._producer.send(*args, **kwargs)


async def test_a_failed_dead_letter_publish_never_passes_the_message_over(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    """The dead-letter publish fails with an error that is not the broker's or the
    database's: the message is still dead-lettered, even though later batches are
    committed past it."""
    service = f"faults{id(effects) % 100000}"
    dlq = dead_letter_topic(service)
    await create_topics(kafka_settings, [dlq])
    topic = await make_topic("publish", partitions=1)
    good, refused, after = event("C-1", 4), event("C-1", 1), event("C-1", 5)
    for e in (good, refused):
        await producer.send_and_wait(topic, encode(e), key=b"C-1")

    failing = FailingOnce(producer)
    publisher = DeadLetterPublisher(failing, db_sessions, service)  # type: ignore[arg-type]
    consumer = make_consumer("publish", db_sessions, record_effects, publisher)
    async with consuming(kafka_settings, consumer, topic):
        await asyncio.wait_for(failing.failed.wait(), 60)
        await producer.send_and_wait(topic, encode(after), key=b"C-1")
        await asyncio.wait_for(until(lambda: _count(effects, 2)), 60)
        await asyncio.wait_for(until(lambda: _has_letters(effects, 1)), 60)
    assert await applied(effects) == [good.event_id, after.event_id]
    assert await letters_on(kafka_settings, dlq.name, topic) == ["unhappy"]


async def test_a_mis_keyed_or_forged_event_is_dead_lettered_and_the_partition_flows(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    """An event keyed by another dossier's code could overtake its predecessor on another
    partition; an event naming a producer other than its topic's owner is forged. Both go
    to the DLQ with their reason; the events around them are applied."""
    service = f"faults{id(effects) % 100000}"
    dlq = dead_letter_topic(service)
    await create_topics(kafka_settings, [dlq])
    topic = await make_topic("provenance", partitions=1)
    before, mis_keyed, after = event("D-1", 4), event("D-2", 4), event("D-1", 5)
    forged = Envelope.wrap(
        SatisfactionRated(score=5),
        producer="mallory",
        occurred_at=NOW,
        now=NOW,
        dossier_code="D-1",
        agency_code="STP",
    )
    await producer.send_and_wait(topic, encode(before), key=b"D-1")
    await producer.send_and_wait(topic, encode(mis_keyed), key=b"D-1")
    await producer.send_and_wait(topic, encode(forged), key=b"D-1")
    await producer.send_and_wait(topic, encode(after), key=b"D-1")

    publisher = DeadLetterPublisher(producer, db_sessions, service)
    consumer = make_consumer("provenance", db_sessions, record_effects, publisher)
    async with consuming(kafka_settings, consumer, topic):
        await asyncio.wait_for(until(lambda: _count(effects, 2)), 60)
        await asyncio.wait_for(until(lambda: _has_letters(effects, 2)), 60)
    assert await applied(effects) == [before.event_id, after.event_id]
    assert await letters_on(kafka_settings, dlq.name, topic) == [
        "key_mismatch",
        "unexpected_producer",
    ]
