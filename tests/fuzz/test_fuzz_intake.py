"""Intake's HTTP API fuzzed from its OpenAPI document, on a real database and broker."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from http_fuzzing import FuzzRun, ServiceFuzz

from motcua_intake.app import create_app
from motcua_intake.settings import BootstrapKey, IntakeSettings, TopicSettings

pytestmark = pytest.mark.infra

ADMIN_KEY = "fuzz-admin-key-0000000000000"
AGENCY_KEY = "fuzz-stp-key-00000000000000"


def build(run: FuzzRun) -> FastAPI:
    keys = [
        BootstrapKey(key=ADMIN_KEY, scopes=["admin"]),
        BootstrapKey(key=AGENCY_KEY, agency="STP"),
    ]
    topics = run.topics.wire(TopicSettings)
    return create_app(
        IntakeSettings(
            **run.common(), bootstrap_keys=keys, commands={"enabled": False}, topics=topics
        )
    )


FUZZ = ServiceFuzz("intake", create_app(IntakeSettings(commands={"enabled": False})), build)
test_every_answer_is_documented, test_no_credentials_is_401 = FUZZ.tests({"X-API-Key": ADMIN_KEY})
