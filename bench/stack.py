"""Where the benchmarks find Kafka and PostgreSQL: the same resolution as the tests."""

from __future__ import annotations

import os


def infrastructure() -> tuple[str, str]:
    """(bootstrap servers, database base URL) of the running local stack."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("DATABASE_URL"):
        return os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["DATABASE_URL"].rstrip("/")
    from motcua.testing.infra import resolve_infrastructure

    infra = resolve_infrastructure()
    return infra.kafka_bootstrap_servers, infra.database_url.rstrip("/")
