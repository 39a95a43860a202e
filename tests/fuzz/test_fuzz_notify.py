"""Notify's HTTP API fuzzed from its OpenAPI document, on a real database and broker."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from http_fuzzing import FuzzRun, ServiceFuzz
from pydantic import SecretStr

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


def build(run: FuzzRun) -> FastAPI:
    channels = {"smtp": OFF, "sms": OFF, "zalo": OFF, "webhook": OFF, "digest": OFF}
    topics = run.topics.wire(TopicSettings)
    return create_app(NotifySettings(**run.common(), topics=topics, api=API, **channels))


def credentials(case) -> dict[str, str]:
    """The receipt callbacks take their own token; everything else the admin's."""
    return RECEIPTS if case.operation.path.startswith("/v1/receipts/") else ADMIN


FUZZ = ServiceFuzz("notify", create_app(NotifySettings(api=API)), build)
test_every_answer_is_documented, test_no_credentials_is_401 = FUZZ.tests(credentials)
