"""Scoring's HTTP API fuzzed from its OpenAPI document, on a real database and broker."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from http_fuzzing import FuzzRun, ServiceFuzz
from pydantic import SecretStr

from motcua_scoring.app import create_app
from motcua_scoring.settings import ApiSettings, FeedSettings, ScoringSettings, TopicSettings

pytestmark = pytest.mark.infra

OFFICIAL = {"Authorization": "Bearer official-fuzz-token"}
API = ApiSettings(official_token=SecretStr("official-fuzz-token"))


def build(run: FuzzRun) -> FastAPI:
    feed = FeedSettings(worker_process=False)
    topics = run.topics.wire(TopicSettings)
    return create_app(ScoringSettings(**run.common(), topics=topics, feed=feed, api=API))


FUZZ = ServiceFuzz("scoring", create_app(ScoringSettings(api=API)), build)
test_every_answer_is_documented, test_no_credentials_is_401 = FUZZ.tests(OFFICIAL)
