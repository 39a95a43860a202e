"""The portal's HTTP API fuzzed from its OpenAPI document, on a real database and broker
(the national portal is the fake one of the local stack, in process)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from http_fuzzing import FuzzRun, ServiceFuzz
from pydantic import SecretStr

from motcua_devstack.fake_dvcqg import create_app as create_fake_portal
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


def build(run: FuzzRun) -> FastAPI:
    settings = PortalSettings(
        **run.common(),
        topics=run.topics.wire(TopicSettings),
        api=API,
        sync=SyncSettings(enabled=False),
        dvcqg=DvcqgSettings(adapter_url="http://dvcqg", password=PASSWORD, dstcode="PTO"),
    )
    national = httpx.ASGITransport(create_fake_portal(password=PASSWORD))
    return create_app(settings, transport=national)


FUZZ = ServiceFuzz("portal", create_app(PortalSettings(api=API)), build)
test_every_answer_is_documented, test_no_credentials_is_401 = FUZZ.tests(ADMIN)
