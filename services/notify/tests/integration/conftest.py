"""The notify service on the real stack: Kafka, PostgreSQL, an SMTP server, the fake gateway."""

from datetime import time

import pytest
from notify_harness import ADMIN, READ, RECEIPTS
from sqlalchemy import text

from motcua.db import create_engine
from motcua.settings import ConsumerSettings, DatabaseSettings, OutboxSettings
from motcua.testing.serving import Served
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


@pytest.fixture
def notify_settings(fresh_database_url, kafka_settings, smtp_server, gateway, topics):
    return NotifySettings(
        database=DatabaseSettings(url=fresh_database_url, pool_size=5),
        kafka=kafka_settings,
        outbox=OutboxSettings(idle_poll_seconds=0.05),
        consumer=ConsumerSettings(backoff_initial_seconds=0.05, backoff_max_seconds=0.2),
        topics=topics.wire(TopicSettings),
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
def start_notify(fresh_database_url, serve_app):
    """`await start_notify(settings, clock=...)`: the app served by uvicorn on loopback
    (its `stop()` ends the lifespan as on SIGTERM; stopped before the test's database is
    dropped)."""

    async def start(settings: NotifySettings, **options) -> Served:
        return await serve_app(create_app(settings, **options))

    return start


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
