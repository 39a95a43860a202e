"""The portal's HTTP API fuzzed from its OpenAPI document, on a real database and broker
(the national portal is the fake one of the local stack, in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
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

from motcua.devstack.fake_dvcqg import create_app as create_fake_portal
from motcua.settings import DatabaseSettings, KafkaSettings
from motcua.testing import create_topics
from motcua_portal.app import create_app
from motcua_portal.settings import (
    ApiSettings,
    DvcqgSettings,
    PortalSettings,
    SyncSettings,
    TopicSettings,
)

pytestmark = pytest.mark.infra

PASSWORD = "fake-portal-password"
ADMIN = {"Authorization": "Bearer admin-fuzz-token"}
API = ApiSettings(
    official_token=SecretStr("official-fuzz-token"), admin_token=SecretStr("admin-fuzz-token")
)
LIVE = LiveApp("portal")
DOCUMENT = create_app(PortalSettings(api=API))
schema = fuzz_schema(DOCUMENT, LIVE)
valid = fuzz_schema(DOCUMENT, LIVE, valid_only=True)


@pytest.fixture(scope="module")
async def portal(fuzz_database: str, kafka_settings: KafkaSettings) -> AsyncIterator[None]:
    name, specs, (dossiers, tracking, procedures) = service_topics(
        "portal", "dossiers", "tracking", "procedures"
    )
    await create_topics(kafka_settings, specs)
    settings = PortalSettings(
        service_name=name,
        database=DatabaseSettings(url=fuzz_database, pool_size=4),
        kafka=kafka_settings,
        topics=TopicSettings(
            dossier_events=dossiers, tracking_events=tracking, procedures=procedures
        ),
        api=API,
        sync=SyncSettings(enabled=False),
        dvcqg=DvcqgSettings(adapter_url="http://dvcqg", password=PASSWORD, dstcode="PTO"),
    )
    national = httpx.ASGITransport(create_fake_portal(password=PASSWORD))
    with LIVE.serving(create_app(settings, transport=national)):
        yield


@schema.parametrize()
@WITH_CREDENTIALS
def test_every_answer_is_documented(case, portal) -> None:
    call_and_check(case, ADMIN)


@valid.include(secured).parametrize()
@WITHOUT_CREDENTIALS
def test_no_credentials_is_401(case, portal) -> None:
    call_without_credentials(case)
