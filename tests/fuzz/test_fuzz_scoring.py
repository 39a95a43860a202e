"""Scoring's HTTP API fuzzed from its OpenAPI document, on a real database and broker."""

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
from motcua_scoring.app import create_app
from motcua_scoring.settings import (
    ApiSettings,
    FeedSettings,
    ScoringSettings,
    TopicSettings,
)

pytestmark = pytest.mark.infra

OFFICIAL = {"Authorization": "Bearer official-fuzz-token"}
API = ApiSettings(official_token=SecretStr("official-fuzz-token"))
LIVE = LiveApp("scoring")
DOCUMENT = create_app(ScoringSettings(api=API))
schema = fuzz_schema(DOCUMENT, LIVE)
valid = fuzz_schema(DOCUMENT, LIVE, valid_only=True)


@pytest.fixture(scope="module")
async def scoring(fuzz_database: str, kafka_settings: KafkaSettings) -> AsyncIterator[None]:
    name, specs, (dossiers, tracking, indicators, agencies) = service_topics(
        "scoring", "dossiers", "tracking", "indicators", "agencies"
    )
    await create_topics(kafka_settings, specs)
    settings = ScoringSettings(
        service_name=name,
        database=DatabaseSettings(url=fuzz_database, pool_size=4),
        kafka=kafka_settings,
        topics=TopicSettings(
            dossier_events=dossiers,
            tracking_events=tracking,
            indicators=indicators,
            agencies=agencies,
        ),
        feed=FeedSettings(worker_process=False),
        api=API,
    )
    with LIVE.serving(create_app(settings)):
        yield


@schema.parametrize()
@WITH_CREDENTIALS
def test_every_answer_is_documented(case, scoring) -> None:
    call_and_check(case, OFFICIAL)


@valid.include(secured).parametrize()
@WITHOUT_CREDENTIALS
def test_no_credentials_is_401(case, scoring) -> None:
    call_without_credentials(case)
