"""The reliable-messaging core on the real broker and database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import murmur2
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.db import Sessions
from motcua.events import DossierRefused, Envelope, SatisfactionRated, decode, encode
from motcua.events.topics import TopicSpec, dead_letter_topic
from motcua.messaging import outbox
from motcua.messaging.consumer import IdempotentConsumer, PermanentError
from motcua.messaging.deadletters import DeadLetterPublisher
from motcua.messaging.kafka import broker_security, idempotent_producer
from motcua.messaging.redrive import redrive
from motcua.settings import ConsumerSettings, KafkaSettings, OutboxSettings
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
        await conn.execute(
            text(
                "CREATE TABLE effects"
                " (id bigserial primary key, event_id uuid, key text, score int)"
            )
        )
    return db_engine


@pytest.fixture
async def producer(kafka_settings: KafkaSettings) -> AsyncIterator[AIOKafkaProducer]:
    p = idempotent_producer(kafka_settings, "test")
    await p.start()
    yield p
    await p.stop()


async def record_effects(session, envelopes: list[Envelope]) -> None:
    for e in envelopes:
        if isinstance(e.data, SatisfactionRated) and e.data.score == 1:
            raise PermanentError("unhappy", "score 1 is refused by this test handler")
        if isinstance(e.data, SatisfactionRated) and e.data.score == 2:
            raise RuntimeError("boom: a handler bug")
    await session.execute(
        text("INSERT INTO effects (event_id, key, score) VALUES (:i, :k, :s)"),
        [{"i": e.event_id, "k": e.dossier_code, "s": e.data.score} for e in envelopes],
    )


async def effect_rows(engine: AsyncEngine) -> list[tuple[UUID, str, int]]:
    async with engine.connect() as conn:
        return [
            tuple(r)
            for r in (
                await conn.execute(text("SELECT event_id, key, score FROM effects ORDER BY id"))
            ).all()
        ]


async def read_all(kafka: KafkaSettings, topic: str, expected: int, within: float = 20) -> list:
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_options(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: list = []
    try:
        deadline = asyncio.get_running_loop().time() + within
        while len(out) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                out.extend(records)
        return out
    finally:
        await consumer.stop()


def murmur2_partition(key: bytes, partitions: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % partitions


async def wait_for(predicate, within: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


def make_consumer(
    name: str,
    db_sessions: Sessions,
    producer,
    service: str,
    event_types: set[str] | None = None,
    **settings,
) -> IdempotentConsumer:
    return IdempotentConsumer(
        name=name,
        service=service,
        sessions=db_sessions,
        handler=record_effects,
        dead_letters=DeadLetterPublisher(producer, db_sessions, service),
        settings=ConsumerSettings(
            backoff_initial_seconds=0.01, backoff_max_seconds=0.05, **settings
        ),
        event_types=event_types,
    )


async def consume_until_applied(
    kafka: KafkaSettings, consumer: IdempotentConsumer, topic: str, effects, count: int
) -> None:
    """Run the consumer on `topic` until `count` effects are written."""
    broker = await run_broker(kafka, consumer, [topic], f"g-{topic}")
    try:

        async def all_applied():
            return len(await effect_rows(effects)) == count

        await wait_for(all_applied)
    finally:
        await broker.stop()


async def test_relay_publishes_exactly_what_was_committed(
    db_engine, db_sessions, producer, kafka_settings, make_topic
):
    topic = await make_topic("relay", partitions=3)
    committed = [event(f"STP-261120-{i:04d}") for i in range(50)]
    rolled_back = [event("STP-261120-9999")]
    async with db_sessions() as session, session.begin():
        await outbox.stage(session, *committed, topic=topic)
    with pytest.raises(RuntimeError):
        async with db_sessions() as session, session.begin():
            await outbox.stage(session, *rolled_back, topic=topic)
            raise RuntimeError("the business change failed")

    relay = outbox.OutboxRelay(db_engine, producer, OutboxSettings(batch_size=7), "test")
    published = 0
    while (n := await relay.publish_pending()) > 0:
        published += n
    assert published == 50
    assert await relay.publish_pending() == 0  # marked sent: nothing twice

    records = await read_all(kafka_settings, topic, 51, within=5)
    assert sorted(decode(r.value).event_id for r in records) == sorted(
        e.event_id for e in committed
    )
    # Each key on the partition Kafka's default partitioner gives it (murmur2, as Java's).
    assert all(r.partition == murmur2_partition(r.key, 3) for r in records)


async def test_a_pass_takes_the_oldest_pending_events_over_all_its_shards(
    db_engine, db_sessions, producer, make_topic
):
    topic = await make_topic("oldest", partitions=3)
    written = [event(f"STP-261120-{i:04d}") for i in range(30)]
    async with db_sessions() as session, session.begin():
        await outbox.stage(session, *written, topic=topic)
    async with db_engine.connect() as conn:
        ids = list((await conn.execute(text("SELECT id FROM outbox ORDER BY id"))).scalars())
        shards = set((await conn.execute(text("SELECT shard FROM outbox"))).scalars())
    assert len(shards) > 1

    relay = outbox.OutboxRelay(db_engine, producer, OutboxSettings(batch_size=10), "test")
    for taken in (10, 20, 30):
        assert await relay.publish_pending() == 10
        async with db_engine.connect() as conn:
            owed = "SELECT id FROM outbox ORDER BY id"
            assert list((await conn.execute(text(owed))).scalars()) == ids[taken:]


async def test_two_relays_keep_each_key_in_order(
    db_engine, db_sessions, producer, kafka_settings, make_topic
):
    keys = [f"HCM-261120-{i:04d}" for i in range(5)]
    written = [event(k, score=1 + (n % 5)) for n in range(40) for k in keys]
    topic = await make_topic("two-relays", partitions=3)
    async with db_sessions() as session, session.begin():
        await outbox.stage(session, *written, topic=topic)
    second = idempotent_producer(kafka_settings, "relay-2")
    await second.start()
    try:
        relays = [
            outbox.OutboxRelay(db_engine, p, OutboxSettings(batch_size=13), "test")
            for p in (producer, second)
        ]

        async def drain(relay):
            while await relay.publish_pending():
                pass

        await asyncio.gather(*(drain(r) for r in relays))
    finally:
        await second.stop()
    records = await read_all(kafka_settings, topic, len(written) + 1, within=5)
    seen = [decode(r.value) for r in records]
    assert len(seen) == len(written)
    for key in keys:
        assert [e.event_id for e in seen if e.dossier_code == key] == [
            e.event_id for e in written if e.dossier_code == key
        ]


async def run_broker(
    kafka: KafkaSettings, consumer: IdempotentConsumer, topics: list[str], group: str
):
    broker = KafkaBroker(kafka.bootstrap_servers, security=broker_security(kafka))
    consumer.subscribe(broker, *topics, group_id=group)
    await broker.start()
    return broker


async def test_redelivery_after_a_crash_does_not_double_effects(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    topic = await make_topic("crash", partitions=1)
    events = [event(f"STP-261120-{i:04d}", score=4) for i in range(20)]
    for e in events:
        await producer.send_and_wait(topic, encode(e), key=e.key.encode())

    class CrashBeforeCommit(IdempotentConsumer):
        async def on_batch(self, message):
            raw = message.raw_message
            await self.process(list(raw) if isinstance(raw, tuple) else [raw])
            crashed.set()
            raise RuntimeError("process killed after its effects, before the offset commit")

    crashed = asyncio.Event()
    group = f"g-{topic}"
    crashing = CrashBeforeCommit(
        name="crash",
        service="test",
        sessions=db_sessions,
        handler=record_effects,
        dead_letters=DeadLetterPublisher(producer, db_sessions, "test"),
        settings=ConsumerSettings(),
    )
    broker = await run_broker(kafka_settings, crashing, [topic], group)
    await asyncio.wait_for(crashed.wait(), 30)
    await broker.stop()
    applied_once = await effect_rows(effects)

    healthy = make_consumer("crash", db_sessions, producer, "test")
    broker = await run_broker(kafka_settings, healthy, [topic], group)
    try:

        async def redelivered_and_committed():
            async with db_sessions() as s:
                n = (await s.execute(text("SELECT count(*) FROM processed_events"))).scalar()
            return n == 20

        await wait_for(redelivered_and_committed)
        await asyncio.sleep(1.0)
    finally:
        await broker.stop()
    assert len(applied_once) >= 1
    redelivered_and_skipped = REGISTRY.get_sample_value(
        "motcua_consumer_duplicates_total", {"app": "test", "topic": topic}
    )
    assert redelivered_and_skipped == len(applied_once)
    rows = await effect_rows(effects)
    assert sorted(r[0] for r in rows) == sorted(e.event_id for e in events)


async def test_poison_goes_to_the_dead_letter_topic_and_the_partition_moves_on(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    service = f"svc{make_topic.__hash__() % 100000}"
    dlq = dead_letter_topic(service)
    await create_topics(kafka_settings, [dlq])
    topic = await make_topic("poison", partitions=1)
    good_before, bug, refused, good_after = (
        event("A-1", 4),
        event("A-1", 2),
        event("A-1", 1),
        event("A-1", 5),
    )
    for payload in (
        encode(good_before),
        b'{"event_type": "dossier.satisfaction-rated", "schema_version": 1, "data": {"score": 9}}',
        encode(bug),
        encode(refused),
        encode(good_after),
    ):
        await producer.send_and_wait(topic, payload, key=b"A-1")

    consumer = make_consumer("poison", db_sessions, producer, service, max_attempts=3)
    await consume_until_applied(kafka_settings, consumer, topic, effects, 2)
    assert [r[0] for r in await effect_rows(effects)] == [good_before.event_id, good_after.event_id]

    letters = [
        r
        for r in await read_all(kafka_settings, dlq.name, 10_000, within=6)
        if dict(r.headers).get("x-dlq-original-topic") == topic.encode()
    ]
    reasons = [dict(r.headers)["x-dlq-reason"].decode() for r in letters]
    assert reasons == ["invalid_event", "handler_error", "unhappy"]
    invalid, crashed, unhappy = (dict(r.headers) for r in letters)
    assert (
        b"data.score" in invalid["x-dlq-error"]
        and b"less than or equal to 5" in invalid["x-dlq-error"]
    )
    assert crashed["x-dlq-attempts"] == b"3" and b"boom" in crashed["x-dlq-error"]
    assert unhappy["x-dlq-attempts"] == b"1"
    assert [int(d["x-dlq-original-offset"]) for d in (invalid, crashed, unhappy)] == [1, 2, 3]
    assert all(d["x-dlq-original-partition"] == b"0" for d in (invalid, crashed, unhappy))


async def test_events_of_types_not_applied_are_passed_over_unread(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    service = f"types{id(effects) % 100000}"
    dlq = dead_letter_topic(service)
    await create_topics(kafka_settings, [dlq])
    topic = await make_topic("types", partitions=1)
    first, last = event("A-1", 4), event("A-1", 5)
    refused = Envelope.wrap(
        DossierRefused(stage="reception", reasons=("incomplete",), unit_code="U1"),
        producer="intake",
        occurred_at=NOW,
        now=NOW,
        dossier_code="A-1",
        agency_code="STP",
    )
    named_other = [("event-type", b"dossier.received")]
    await producer.send_and_wait(topic, encode(first), key=b"A-1")
    # Named by its header as a type not applied: passed over unread, so even a body that
    # is no event is not the consumer's to dead-letter.
    await producer.send_and_wait(topic, b"not an event", key=b"A-1", headers=named_other)
    # No header: decoded, then passed over for its type.
    await producer.send_and_wait(topic, encode(refused), key=b"A-1")
    await producer.send_and_wait(topic, encode(last), key=b"A-1")

    types = {"dossier.satisfaction-rated"}
    consumer = make_consumer("types", db_sessions, producer, service, event_types=types)
    await consume_until_applied(kafka_settings, consumer, topic, effects, 2)
    assert [r[0] for r in await effect_rows(effects)] == [first.event_id, last.event_id]
    async with db_sessions() as s:
        recorded = (await s.execute(text("SELECT event_id FROM processed_events"))).scalars()
        assert sorted(recorded) == sorted([first.event_id, last.event_id])
    passed = REGISTRY.get_sample_value(
        "motcua_consumer_passed_over_total", {"app": service, "topic": topic}
    )
    assert passed == 2
    letters = await read_all(kafka_settings, dlq.name, 10_000, within=3)
    assert not [r for r in letters if dict(r.headers).get("x-dlq-original-topic") == topic.encode()]


async def test_redrive_puts_dead_letters_back(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    service = f"redrive{id(effects) % 100000}"
    await create_topics(
        kafka_settings, [dead_letter_topic(service), TopicSpec(f"{service}.redrive.v1", 1)]
    )
    topic = await make_topic("redrive", partitions=1)
    flaky = event("B-1", 2)
    await producer.send_and_wait(topic, encode(flaky), key=b"B-1")

    consumer = make_consumer("redrive", db_sessions, producer, service, max_attempts=2)
    broker = await run_broker(
        kafka_settings, consumer, [topic, f"{service}.redrive.v1"], f"g-{topic}"
    )
    try:

        async def dead_lettered():
            async with db_sessions() as s:
                return (await s.execute(text("SELECT count(*) FROM dead_letters"))).scalar() == 1

        await wait_for(dead_lettered)

        global record_effects
        original = record_effects

        async def fixed_handler(session, envelopes):
            await session.execute(
                text("INSERT INTO effects (event_id, key, score) VALUES (:i, :k, :s)"),
                [{"i": e.event_id, "k": e.dossier_code, "s": e.data.score} for e in envelopes],
            )

        consumer._handler = fixed_handler  # the bug is fixed and deployed
        moved = await redrive(kafka_settings, service)
        assert moved == 1

        async def applied():
            return [r[0] for r in await effect_rows(effects)] == [flaky.event_id]

        await wait_for(applied)
        assert original is record_effects
    finally:
        await broker.stop()
    assert await redrive(kafka_settings, service) == 0  # nothing left to move


async def test_per_key_order_holds_across_a_rebalance(
    effects, db_sessions, producer, kafka_settings, make_topic
):
    topic = await make_topic("rebalance", partitions=4)
    keys = [f"K-{i}" for i in range(8)]
    group = f"g-{topic}"
    first = await run_broker(
        kafka_settings,
        make_consumer("order", db_sessions, producer, "t", max_records=20),
        [topic],
        group,
    )
    sent: list[Envelope] = []
    second = None
    try:
        for n in range(60):
            batch = [event(k, score=3 + n % 3) for k in keys]
            for e in batch:
                await producer.send(topic, encode(e), key=e.key.encode())
            sent += batch
            if n == 20:  # a second member joins: partitions are reassigned mid-stream
                second = await run_broker(
                    kafka_settings,
                    make_consumer("order", db_sessions, producer, "t", max_records=20),
                    [topic],
                    group,
                )
            await asyncio.sleep(0.02)
        await producer.flush()

        async def all_applied():
            return len(await effect_rows(effects)) >= len(sent)

        await wait_for(all_applied, within=60)
    finally:
        await first.stop()
        if second is not None:
            await second.stop()
    rows = await effect_rows(effects)
    assert len(rows) == len(sent)  # nothing doubled, nothing lost
    for key in keys:
        assert [r[0] for r in rows if r[1] == key] == [
            e.event_id for e in sent if e.dossier_code == key
        ]
