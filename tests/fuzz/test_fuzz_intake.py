"""Intake's HTTP API fuzzed from its OpenAPI document, on a real database and broker."""

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

from motcua.settings import DatabaseSettings, KafkaSettings
from motcua.testing import create_topics
from motcua_intake.app import create_app
from motcua_intake.settings import BootstrapKey, IntakeSettings, TopicSettings

pytestmark = pytest.mark.infra

ADMIN_KEY = "fuzz-admin-key-0000000000000"
AGENCY_KEY = "fuzz-stp-key-00000000000000"
LIVE = LiveApp("intake")
DOCUMENT = create_app(IntakeSettings(commands={"enabled": False}))
schema = fuzz_schema(DOCUMENT, LIVE)
valid = fuzz_schema(DOCUMENT, LIVE, valid_only=True)


@pytest.fixture(scope="module")
async def intake(fuzz_database: str, kafka_settings: KafkaSettings) -> AsyncIterator[None]:
    name, specs, (dossiers, catalogue, agencies) = service_topics(
        "intake", "dossiers", "catalogue", "agencies"
    )
    await create_topics(kafka_settings, specs)
    settings = IntakeSettings(
        service_name=name,
        database=DatabaseSettings(url=fuzz_database, pool_size=4),
        kafka=kafka_settings,
        bootstrap_keys=[
            BootstrapKey(key=ADMIN_KEY, scopes=["admin"]),
            BootstrapKey(key=AGENCY_KEY, agency="STP"),
        ],
        commands={"enabled": False},
        topics=TopicSettings(dossier_events=dossiers, catalogue=catalogue, agencies=agencies),
    )
    with LIVE.serving(create_app(settings)):
        yield


@schema.parametrize()
@WITH_CREDENTIALS
def test_every_answer_is_documented(case, intake) -> None:
    call_and_check(case, {"X-API-Key": ADMIN_KEY})


@valid.include(secured).parametrize()
@WITHOUT_CREDENTIALS
def test_no_credentials_is_401(case, intake) -> None:
    call_without_credentials(case)
