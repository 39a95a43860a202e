"""Idle loops wait for work announced by PostgreSQL NOTIFY, not for their poll interval."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from motcua.events import Envelope, SatisfactionRated
from motcua.messaging import outbox
from motcua.runtime import ServiceRuntime
from motcua.settings import DatabaseSettings, KafkaSettings, OutboxSettings, ServiceSettings
from motcua.testing import eventually

pytestmark = pytest.mark.infra
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SAFETY_POLL = 60.0
WITHIN = 20.0  # generous, and well below the safety poll


def quiet_runtime(url: str, kafka: KafkaSettings) -> ServiceRuntime:
    """A runtime whose relay would look at the outbox only once a minute on its own."""
    settings = ServiceSettings(
        service_name="wakeuptest",
        database=DatabaseSettings(url=url, pool_size=3),
        kafka=kafka,
        outbox=OutboxSettings(idle_poll_seconds=SAFETY_POLL),
    )
    return ServiceRuntime(settings, migrations=None)


def rated(code: str) -> Envelope:
    return Envelope.wrap(
        SatisfactionRated(score=5),
        producer="intake",
        occurred_at=NOW,
        now=NOW,
        dossier_code=code,
        agency_code="STP",
    )


async def idle(runtime: ServiceRuntime) -> None:
    """Wait until the relay has looked at the empty outbox and the service listens."""
    relay = next(loop for loop in runtime.loops if loop.name == "outbox-relay")
    await eventually(lambda: runtime.wakeups.listening, WITHIN, what="the service listens")
    await eventually(lambda: relay.last_success is not None, WITHIN, what="the relay's first pass")


async def received(kafka: KafkaSettings, topic: str, code: str) -> None:
    consumer = AIOKafkaConsumer(topic, **kafka.client_options(), auto_offset_reset="earliest")
    await consumer.start()
    try:

        async def arrived() -> bool:
            batches = await consumer.getmany(timeout_ms=200)
            return any(r.key == code.encode() for rs in batches.values() for r in rs)

        await eventually(
            arrived, WITHIN, what=f"the event of {code} reached Kafka without the safety poll"
        )
    finally:
        await consumer.stop()


async def test_an_idle_relay_publishes_a_newly_staged_event_at_once(
    db_sessions, fresh_database_url, kafka_settings, make_topic
):
    topic = await make_topic("wakeup", partitions=1)
    runtime = quiet_runtime(fresh_database_url, kafka_settings)
    async with runtime.lifespan():
        await idle(runtime)
        async with db_sessions() as session, session.begin():
            await outbox.stage(session, rated("STP-261120-0001"), topic=topic)
        await received(kafka_settings, topic, "STP-261120-0001")


async def test_a_lost_listening_connection_is_rebuilt_and_work_still_flows(
    db_engine, db_sessions, fresh_database_url, kafka_settings, make_topic
):
    topic = await make_topic("wakeup-lost", partitions=1)
    runtime = quiet_runtime(fresh_database_url, kafka_settings)
    async with runtime.lifespan():
        await idle(runtime)
        lost = runtime.wakeups.backend_pid
        async with db_engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost})

        def listening_again() -> bool:
            pid = runtime.wakeups.backend_pid
            return runtime.wakeups.listening and pid not in (None, lost)

        await eventually(listening_again, WITHIN, what="the service listens on a new connection")
        async with db_sessions() as session, session.begin():
            await outbox.stage(session, rated("STP-261120-0002"), topic=topic)
        await received(kafka_settings, topic, "STP-261120-0002")
