"""The notify service on the real stack: Kafka, PostgreSQL, an SMTP server, the fake gateway."""

import asyncio
import socket
from dataclasses import dataclass
from datetime import time

import pytest
import uvicorn
from fastapi import FastAPI
from notify_harness import ADMIN, READ, RECEIPTS
from sqlalchemy import text

from motcua.db import create_engine
from motcua.events import Envelope, encode
from motcua.messaging.kafka import idempotent_producer
from motcua.settings import ConsumerSettings, DatabaseSettings, OutboxSettings
from motcua.testing.catalogue import revisions_named
from motcua_notify.app import create_app
from motcua_notify.settings import (
    ApiSettings,
    DigestSettings,
    DispatchSettings,
    NotifySettings,
    SmsSettings,
    SmtpSettings,
    TopicSettings,
    WebhookSettings,
    ZaloSettings,
)


@dataclass
class Topics:
    dossier_events: str
    tracking_events: str
    notifications: str
    agencies: str
    applicants: str
    procedures: str


@dataclass
class RunningNotify:
    app: FastAPI
    url: str
    server: uvicorn.Server
    task: "asyncio.Task[None]"

    async def stop(self) -> None:
        """Stop gracefully: the lifespan ends as on SIGTERM."""
        self.server.should_exit = True
        await self.task


@pytest.fixture
async def topics(make_topic) -> Topics:
    return Topics(
        await make_topic("dossier-events", 3),
        await make_topic("tracking-events", 3),
        await make_topic("notifications", 1),
        await make_topic("agencies", 1),
        await make_topic("applicants", 3),
        await make_topic("procedures", 1),
    )


@pytest.fixture
def notify_settings(fresh_database_url, kafka_settings, smtp_server, gateway, topics):
    return NotifySettings(
        database=DatabaseSettings(url=fresh_database_url, pool_size=5),
        kafka=kafka_settings,
        outbox=OutboxSettings(idle_poll_seconds=0.05),
        consumer=ConsumerSettings(backoff_initial_seconds=0.05, backoff_max_seconds=0.2),
        topics=TopicSettings(
            dossier_events=topics.dossier_events,
            tracking_events=topics.tracking_events,
            notifications=topics.notifications,
            agencies=topics.agencies,
            applicants=topics.applicants,
            procedures=topics.procedures,
        ),
        smtp=SmtpSettings(host="127.0.0.1", port=smtp_server.port, pool_size=2, timeout=5),
        sms=SmsSettings(base_url=gateway, api_key="sms-key", timeout=3),
        zalo=ZaloSettings(base_url=gateway, access_token="zalo-token", timeout=3),
        webhook=WebhookSettings(secret="khoa-ky-webhook", timeout=3),
        dispatch=DispatchSettings(
            idle_poll_seconds=0.05,
            backoff_initial_seconds=0.4,
            backoff_max_seconds=2,
            max_attempts=4,
            housekeeping_seconds=0.5,
        ),
        digest=DigestSettings(enabled=False, check_seconds=0.2, at=time(7, 30)),
        api=ApiSettings(read_token=READ, admin_token=ADMIN, receipt_token=RECEIPTS),
    )


@pytest.fixture
async def start_notify():
    """`await start_notify(settings, clock=...)`: the app served by uvicorn on loopback."""
    running: list[RunningNotify] = []

    async def start(settings: NotifySettings, **options) -> RunningNotify:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        app = create_app(settings, **options)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                await task
                raise RuntimeError("notify did not start")
            await asyncio.sleep(0.02)
        notify = RunningNotify(app, f"http://127.0.0.1:{port}", server, task)
        running.append(notify)
        return notify

    yield start
    for notify in running:
        if not notify.task.done():
            await notify.stop()


@pytest.fixture
async def publish(kafka_settings, topics):
    """`await publish(topic, *envelopes)`: produce events as intake and tracking do (the
    catalogue revisions the receptions name first, on the test's catalogue topic)."""
    producer = idempotent_producer(kafka_settings, "notify-tests")
    await producer.start()

    async def send(topic: str, *envelopes: Envelope) -> None:
        for revision in revisions_named(envelopes):
            await producer.send_and_wait(
                topics.procedures, encode(revision), key=revision.key.encode()
            )
        for envelope in envelopes:
            await producer.send_and_wait(topic, encode(envelope), key=envelope.key.encode())

    yield send
    await producer.stop()


@pytest.fixture
async def notify_db(fresh_database_url):
    """Run SQL on the service's database: `await notify_db("SELECT ...")`."""
    engine = create_engine(DatabaseSettings(url=fresh_database_url, pool_size=2))

    async def query(sql: str, **params) -> list:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []

    yield query
    await engine.dispose()
