"""Notify's HTTP API fuzzed from its OpenAPI document, on a real database and broker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from http_fuzzing import (
    WITH_CREDENTIALS,
    WITHOUT_CREDENTIALS,
    LiveApp,
    call_and_check,
    call_without_credentials,
    fuzz_schema,
    secured,
    service_topics,
)
from pydantic import SecretStr

from motcua.settings import DatabaseSettings, KafkaSettings
from motcua.testing import create_topics
from motcua_notify.app import create_app
from motcua_notify.settings import ApiSettings, NotifySettings, TopicSettings

pytestmark = pytest.mark.infra

ADMIN = {"Authorization": "Bearer admin-fuzz-token"}
RECEIPTS = {"Authorization": "Bearer receipt-fuzz-token"}
API = ApiSettings(
    read_token=SecretStr("read-fuzz-token"),
    admin_token=SecretStr("admin-fuzz-token"),
    receipt_token=SecretStr("receipt-fuzz-token"),
)
OFF = {"enabled": False}
LIVE = LiveApp("notify")
DOCUMENT = create_app(NotifySettings(api=API))
schema = fuzz_schema(DOCUMENT, LIVE)
valid = fuzz_schema(DOCUMENT, LIVE, valid_only=True)


@pytest.fixture(scope="module")
async def notify(fuzz_database: str, kafka_settings: KafkaSettings) -> AsyncIterator[None]:
    name, specs, (dossiers, tracking, notifications) = service_topics(
        "notify", "dossiers", "tracking", "notifications"
    )
    await create_topics(kafka_settings, specs)
    settings = NotifySettings(
        service_name=name,
        database=DatabaseSettings(url=fuzz_database, pool_size=4),
        kafka=kafka_settings,
        topics=TopicSettings(
            dossier_events=dossiers, tracking_events=tracking, notifications=notifications
        ),
        api=API,
        smtp=OFF,
        sms=OFF,
        zalo=OFF,
        webhook=OFF,
        digest=OFF,
    )
    with LIVE.serving(create_app(settings)):
        yield


@schema.parametrize()
@WITH_CREDENTIALS
def test_every_answer_is_documented(case, notify) -> None:
    receipts = case.operation.path.startswith("/v1/receipts/")
    call_and_check(case, RECEIPTS if receipts else ADMIN)


@valid.include(secured).parametrize()
@WITHOUT_CREDENTIALS
def test_no_credentials_is_401(case, notify) -> None:
    call_without_credentials(case)
