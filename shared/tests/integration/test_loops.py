"""Supervised loops on the real broker and database: rebuilds, honest health, dead letters once."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import OutOfOrderSequenceNumber
from aiokafka.structs import ConsumerRecord
from fastapi import FastAPI
from sqlalchemy import text

from motcua.db import create_engine, sessions
from motcua.events import Envelope, SatisfactionRated
from motcua.events.envelope import encode
from motcua.events.topics import TopicSpec, dead_letter_topic
from motcua.messaging import outbox
from motcua.messaging.consumer import IdempotentConsumer
from motcua.messaging.deadletters import DeadLetterPublisher
from motcua.messaging.kafka import idempotent_producer
from motcua.runtime import ServiceRuntime, health_router
from motcua.settings import (
    ConsumerSettings,
    DatabaseSettings,
    KafkaSettings,
    LoopSettings,
    ServiceSettings,
)
from motcua.testing import create_topics, eventually

pytestmark = pytest.mark.infra
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class BrokenProducer:
    """A producer after a broker restart lost its sequence: every send fails for good."""

    async def partitions_for(self, topic: str) -> set[int]:
        raise OutOfOrderSequenceNumber()

    async def stop(self) -> None:
        return None


def runtime_on(url: str, kafka: KafkaSettings, service: str, **overrides: object) -> ServiceRuntime:
    settings = ServiceSettings(
        service_name=service,
        database=DatabaseSettings(url=url, pool_size=3),
        kafka=kafka,
        **overrides,
    )
    return ServiceRuntime(settings, migrations=None)


async def test_a_relay_whose_producer_broke_renews_it_and_publishes_everything(
    db_engine, db_sessions, fresh_database_url, kafka_settings, make_topic
):
    topic = await make_topic("relay-renewal", partitions=2)
    runtime = runtime_on(fresh_database_url, kafka_settings, "relaytest")
    async with runtime.lifespan():
        assert runtime.relay is not None
        runtime.relay.bind(BrokenProducer())  # type: ignore[arg-type]
        events = [
            Envelope.wrap(
                SatisfactionRated(score=5),
                producer="intake",
                occurred_at=NOW,
                now=NOW,
                dossier_code=f"STP-261120-{i:04d}",
                agency_code="STP",
            )
            for i in range(30)
        ]
        async with db_sessions() as session, session.begin():
            await outbox.stage(session, *events, topic=topic)

        async def all_published() -> bool:
            async with db_engine.connect() as conn:
                pending = await conn.execute(text("SELECT count(*) FROM outbox"))
                return pending.scalar() == 0

        await eventually(all_published, 20, what="the relay published the staged events")
        assert not isinstance(runtime.producer, BrokenProducer)
    consumer = AIOKafkaConsumer(
        topic, **kafka_settings.client_options(), auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        seen: list[bytes] = []
        deadline = time.monotonic() + 10
        while len(seen) < 30 and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            seen += [r.value for records in batches.values() for r in records]
    finally:
        await consumer.stop()
    assert len(seen) == 30


async def test_ready_fails_naming_a_failing_loop_and_recovers_after(
    db_engine, fresh_database_url, kafka_settings
):
    runtime = runtime_on(
        fresh_database_url,
        kafka_settings,
        "readytest",
        loops=LoopSettings(stall_seconds=0.5, backoff_max_seconds=0.2),
    )
    broken = asyncio.Event()
    broken.set()

    async def flaky() -> float:
        if broken.is_set():
            raise ConnectionError("the database went away")
        return 0.05

    runtime.loop("flaky", flaky)
    app = FastAPI(lifespan=runtime.lifespan)
    app.include_router(health_router(runtime))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:

            async def ready_is(status: int) -> bool:
                return (await client.get("/ready")).status_code == status

            await eventually(lambda: ready_is(503), 20, what="/ready turned red")
            red = await client.get("/ready")
            assert red.headers["content-type"] == "application/problem+json"
            assert "loop:flaky" in red.json()["detail"]
            assert "failed in a row" in red.json()["checks"]["loop:flaky"]
            assert (await client.get("/health")).status_code == 200

            broken.clear()
            await eventually(lambda: ready_is(200), 20, what="/ready turned green again")


async def test_a_dead_task_fails_liveness(db_engine, fresh_database_url, kafka_settings):
    runtime = runtime_on(fresh_database_url, kafka_settings, "livetest")

    async def crashes(stop: asyncio.Event) -> None:
        raise RuntimeError("a bug")

    runtime.background(crashes, "crashes")
    app = FastAPI(lifespan=runtime.lifespan)
    app.include_router(health_router(runtime))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:

            async def dead() -> bool:
                return (await client.get("/health")).status_code == 503

            await eventually(dead, 20, what="/health turned red")
            assert "crashes" in (await client.get("/health")).json()["detail"]


async def test_an_invalid_message_read_again_is_dead_lettered_once(
    db_engine, db_sessions, kafka_settings, make_topic
):
    service = f"dlq{int(time.time() * 1000) % 10**9}"
    await create_topics(kafka_settings, [TopicSpec(dead_letter_topic(service).name, 1)])
    producer = idempotent_producer(kafka_settings, "test")
    await producer.start()
    try:

        async def ignore(session: object, events: object) -> None:
            return None

        consumer = IdempotentConsumer(
            name="c",
            service=service,
            sessions=db_sessions,
            handler=ignore,  # type: ignore[arg-type]
            dead_letters=DeadLetterPublisher(producer, db_sessions, service),
            settings=ConsumerSettings(),
        )
        record: ConsumerRecord[bytes, bytes] = ConsumerRecord(
            "some.topic.v1", 2, 41, 0, 0, b"k", b"not an event", None, 1, 12, ()
        )
        await consumer.process([record])
        await consumer.process([record])  # offsets rewound: the same message again
    finally:
        await producer.stop()
    async with db_engine.connect() as conn:
        rows = (await conn.execute(text("SELECT count(*) FROM dead_letters"))).scalar()
    assert rows == 1


class Batch:
    """What FastStream hands the consumer: the records, and whether they were committed."""

    def __init__(self, record: ConsumerRecord[bytes, bytes]) -> None:
        self.raw_message = record
        self.outcome: list[str] = []

    async def ack(self) -> None:
        self.outcome.append("ack")

    async def nack(self) -> None:
        self.outcome.append("rewound")


async def test_a_batch_finding_the_database_down_is_rewound_after_a_pause_cut_short_at_stop(
    kafka_settings,
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nowhere = f"postgresql+asyncpg://motcua@127.0.0.1:{closed.getsockname()[1]}/gone"
    engine = create_engine(DatabaseSettings(url=nowhere, pool_size=1))
    envelope = Envelope.wrap(
        SatisfactionRated(score=5),
        producer="intake",
        occurred_at=NOW,
        now=NOW,
        dossier_code="STP-261120-0001",
        agency_code="STP",
    )
    record: ConsumerRecord[bytes, bytes] = ConsumerRecord(
        "some.topic.v1", 0, 7, 0, 0, b"STP-261120-0001", encode(envelope), None, 1, 15, ()
    )
    stop = asyncio.Event()

    def consumer(backoff: float) -> IdempotentConsumer:
        return IdempotentConsumer(
            name="c",
            service="rewindtest",
            sessions=sessions(engine),
            handler=lambda session, events: asyncio.sleep(0),
            dead_letters=DeadLetterPublisher(None, sessions(engine), "rewindtest"),
            settings=ConsumerSettings(
                backoff_initial_seconds=backoff / 2, backoff_max_seconds=backoff
            ),
            stop=stop,
        )

    try:
        quick = consumer(0.05)
        first, second = Batch(record), Batch(record)
        await quick.on_batch(first)  # type: ignore[arg-type]
        await quick.on_batch(second)  # type: ignore[arg-type]
        assert first.outcome == second.outcome == ["rewound"]
        assert quick.failures == 2

        patient = consumer(3600)  # a pause of half an hour at least, unless stopped
        waiting = Batch(record)
        pausing = asyncio.create_task(patient.on_batch(waiting))  # type: ignore[arg-type]
        await eventually(lambda: patient.failures == 1, 30, what="the batch failed")
        stop.set()
        try:
            await asyncio.wait_for(pausing, 30)
        except TimeoutError:
            raise AssertionError("the pause before the rewind did not end at stop") from None
        assert waiting.outcome == ["rewound"]
    finally:
        await engine.dispose()
