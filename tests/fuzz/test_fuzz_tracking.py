"""Tracking's HTTP API fuzzed from its OpenAPI document, on a real database and broker."""

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
from motcua_tracking.app import create_app
from motcua_tracking.settings import ApiSettings, TopicSettings, TrackingSettings

pytestmark = pytest.mark.infra

ADMIN = {"Authorization": "Bearer admin-fuzz-token"}
API = ApiSettings(
    official_token=SecretStr("official-fuzz-token"), admin_token=SecretStr("admin-fuzz-token")
)
LIVE = LiveApp("tracking")
DOCUMENT = create_app(TrackingSettings(api=API))
schema = fuzz_schema(DOCUMENT, LIVE)
valid = fuzz_schema(DOCUMENT, LIVE, valid_only=True)


@pytest.fixture(scope="module")
async def tracking(fuzz_database: str, kafka_settings: KafkaSettings) -> AsyncIterator[None]:
    name, specs, (events, procedures, agencies, published) = service_topics(
        "tracking", "dossiers", "procedures", "agencies", "published"
    )
    await create_topics(kafka_settings, specs)
    settings = TrackingSettings(
        service_name=name,
        database=DatabaseSettings(url=fuzz_database, pool_size=4),
        kafka=kafka_settings,
        topics=TopicSettings(
            dossier_events=events, procedures=procedures, agencies=agencies, publish_to=published
        ),
        api=API,
    )
    with LIVE.serving(create_app(settings)):
        yield


@schema.parametrize()
@WITH_CREDENTIALS
def test_every_answer_is_documented(case, tracking) -> None:
    call_and_check(case, ADMIN)


@valid.include(secured).parametrize()
@WITHOUT_CREDENTIALS
def test_no_credentials_is_401(case, tracking) -> None:
    call_without_credentials(case)
