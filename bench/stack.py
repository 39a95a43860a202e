"""Where the benchmarks find Kafka and PostgreSQL: the same resolution as the tests."""

from __future__ import annotations

import os

from motcua.settings import KafkaSettings


def infrastructure() -> tuple[KafkaSettings, str]:
    """(Kafka, signed in as the operator; database base URL) of the running local stack."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("DATABASE_URL"):
        return KafkaSettings.from_environment(), os.environ["DATABASE_URL"].rstrip("/")
    from motcua_devstack.testing import resolve_infrastructure

    infra = resolve_infrastructure()
    return infra.kafka, infra.database_url.rstrip("/")
