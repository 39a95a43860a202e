"""Tracking's HTTP API fuzzed from its OpenAPI document, on a real database and broker."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from http_fuzzing import FuzzRun, ServiceFuzz
from pydantic import SecretStr

from motcua_tracking.app import create_app
from motcua_tracking.settings import ApiSettings, TopicSettings, TrackingSettings

pytestmark = pytest.mark.infra

ADMIN = {"Authorization": "Bearer admin-fuzz-token"}
API = ApiSettings(
    official_token=SecretStr("official-fuzz-token"), admin_token=SecretStr("admin-fuzz-token")
)


def build(run: FuzzRun) -> FastAPI:
    topics = run.topics.wire(TopicSettings)
    return create_app(TrackingSettings(**run.common(), topics=topics, api=API))


FUZZ = ServiceFuzz("tracking", create_app(TrackingSettings(api=API)), build)
test_every_answer_is_documented, test_no_credentials_is_401 = FUZZ.tests(ADMIN)
