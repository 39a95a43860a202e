"""Fixtures of the HTTP fuzz tests: each service's module gets its own database, topics
and consumer groups, and its app (its `FUZZ`) started on them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from http_fuzzing import FuzzRun, ServiceFuzz

from motcua.settings import DatabaseSettings, KafkaSettings
from motcua.testing.servers import create_database, drop_database
from motcua.testing.topics import make_topics, new_service


@pytest.fixture(scope="module")
async def fuzz_database(database_base_url: str) -> AsyncIterator[str]:
    """A new, empty database for the module's service, dropped afterwards."""
    name = f"t_fuzz_{uuid.uuid4().hex[:12]}"
    await create_database(database_base_url, name)
    yield f"{database_base_url}/{name}"
    await drop_database(database_base_url, name)


@pytest.fixture(scope="module")
async def served(
    request: pytest.FixtureRequest, fuzz_database: str, kafka_settings: KafkaSettings
) -> AsyncIterator[None]:
    """The module's service (its `FUZZ`) serving the fuzzed requests on its own database,
    topics and consumer groups, until the module's tests are done."""
    fuzz: ServiceFuzz = request.module.FUZZ
    run = FuzzRun(
        name=await new_service(kafka_settings, f"{fuzz.service}-fuzz"),
        database=DatabaseSettings(url=fuzz_database, pool_size=4),
        kafka=kafka_settings,
        topics=await make_topics(kafka_settings, f"fuzz-{fuzz.service}-"),
    )
    with fuzz.live.serving(fuzz.build(run)):
        yield
