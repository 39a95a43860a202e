"""Pytest plugin: where the tests' Kafka and PostgreSQL are (registered by the root conftest).

It provides `_infrastructure`, the broker and server that the common package's fixtures
(`motcua.testing.fixtures`: `kafka_settings`, `database_base_url`, `fresh_database_url`...)
build on: `KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` when set (`make test` exports
them), else what `motcua_devstack.testing.resolve_infrastructure` finds or starts.
"""

from __future__ import annotations

import os

import pytest

from motcua.settings import KafkaSettings
from motcua_devstack.testing import resolve_infrastructure

__all__: list[str] = []


@pytest.fixture(scope="session")
def _infrastructure() -> tuple[KafkaSettings, str]:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("DATABASE_URL"):
        return KafkaSettings.from_environment(), os.environ["DATABASE_URL"]
    infra = resolve_infrastructure()
    return infra.kafka, infra.database_url
