"""Outbox relay and idempotent consumer throughput beside raw aiokafka, on the local stack.

uv run python -m bench messaging [--events 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from sqlalchemy import text

from bench.baselines import raw_consume, raw_produce
from bench.report import write_section
from bench.stack import infrastructure
from motcua.db import create_engine, sessions
from motcua.events import Envelope, SatisfactionRated, encode
from motcua.events.topics import TopicSpec
from motcua.messaging import outbox
from motcua.messaging.consumer import IdempotentConsumer
from motcua.messaging.deadletters import DeadLetterPublisher
from motcua.messaging.kafka import broker_security, idempotent_producer
from motcua.messaging.schema import create_messaging_tables
from motcua.settings import ConsumerSettings, DatabaseSettings, OutboxSettings
from motcua.testing import create_database, create_topics, drop_database

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def envelopes(n: int) -> list[Envelope]:
    return [
        Envelope.wrap(
            SatisfactionRated(score=4),
            producer="intake",
            occurred_at=NOW,
            now=NOW,
            dossier_code=f"STP-261120-{i % 5000:04d}",
            agency_code="STP",
        )
        for i in range(n)
    ]


async def run(n: int) -> dict[str, float]:
    kafka, base_url = infrastructure()
    run_id = uuid.uuid4().hex[:8]
    raw_topic, relay_topic = f"bench.raw.{run_id}.v1", f"bench.relay.{run_id}.v1"
    await create_topics(kafka, [TopicSpec(raw_topic, 6), TopicSpec(relay_topic, 6)])
    db_name = f"bench_{run_id}"
    await create_database(base_url, db_name)
    engine = create_engine(DatabaseSettings(url=f"{base_url}/{db_name}", pool_size=8))
    results: dict[str, float] = {}
    try:
        async with engine.begin() as conn:
            await conn.run_sync(create_messaging_tables)
            await conn.execute(text("CREATE TABLE effects (event_id uuid primary key, score int)"))
        events = envelopes(n)
        payloads = [(e.key.encode(), encode(e)) for e in events]
        results["raw_produce"] = await raw_produce(kafka, raw_topic, payloads)
        results["raw_consume"] = await raw_consume(kafka, [raw_topic], n)

        # Relay: stage everything (timed apart), then drain to Kafka.
        sess = sessions(engine)
        started = time.perf_counter()
        for i in range(0, n, 1000):
            async with sess() as s, s.begin():
                await outbox.stage(
                    s,
                    *[
                        e.model_copy(update={"event_id": uuid.uuid4()})
                        for e in events[i : i + 1000]
                    ],
                )
        results["outbox_stage"] = n / (time.perf_counter() - started)
        producer = idempotent_producer(kafka, "bench-relay")
        await producer.start()
        relay = outbox.OutboxRelay(engine, producer, OutboxSettings(batch_size=2000), "bench")
        started = time.perf_counter()
        published = 0
        while published < n:
            published += await relay.publish_pending()
        results["relay"] = n / (time.perf_counter() - started)

        async def handler(session, batch):
            await session.execute(
                text("INSERT INTO effects (event_id, score) VALUES (:i, :s)"),
                [{"i": e.event_id, "s": e.data.score} for e in batch],
            )

        consumer = IdempotentConsumer(
            name="bench",
            service="bench",
            sessions=sess,
            handler=handler,
            dead_letters=DeadLetterPublisher(producer, sess, "bench"),
            settings=ConsumerSettings(max_records=1000),
        )
        broker = KafkaBroker(kafka.bootstrap_servers, security=broker_security(kafka), logger=None)
        consumer.subscribe(broker, raw_topic, group_id=f"idem-{run_id}")
        started = time.perf_counter()
        await broker.start()
        while True:
            async with engine.connect() as conn:
                done = (await conn.execute(text("SELECT count(*) FROM effects"))).scalar()
            if done >= n:
                break
            await asyncio.sleep(0.05)
        results["consumer"] = n / (time.perf_counter() - started)
        await broker.stop()
        await producer.stop()
    finally:
        await engine.dispose()
        await drop_database(base_url, db_name)
    return results


def report(n: int, r: dict[str, float]) -> str:
    rows = [
        (
            "raw aiokafka produce (idempotent, acks=all) — ceiling",
            r["raw_produce"],
            r["raw_produce"],
        ),
        ("outbox relay: PostgreSQL → Kafka, marked sent", r["relay"], r["raw_produce"]),
        ("raw aiokafka consume + commit — ceiling", r["raw_consume"], r["raw_consume"]),
        ("idempotent consumer: dedupe + effect + commit, batches", r["consumer"], r["raw_consume"]),
        ("outbox staging (1,000 events a transaction)", r["outbox_stage"], None),
    ]
    lines = [
        "## Messaging core (issue: foundation)",
        "",
        f"`uv run python -m bench messaging --events {n}`: {n:,} events of ~560 bytes,"
        " 6 partitions.",
        "Target: relay and consumer each ≥ 5,000 events/s.",
        "",
        "| path | events/s | ratio to its ceiling |",
        "|---|---:|---:|",
    ]
    for name, rate, ceiling in rows:
        ratio = f"{rate / ceiling:.2f}" if ceiling else "–"
        lines.append(f"| {name} | {rate:,.0f} | {ratio} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.events))
    text_ = report(args.events, results)
    print(text_)
    write_section("messaging", text_)
