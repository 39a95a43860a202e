"""Where the benchmarks find Kafka and PostgreSQL: the same resolution as the tests."""

from __future__ import annotations

import os
import socket

from motcua.settings import KafkaSettings


def infrastructure() -> tuple[KafkaSettings, str]:
    """(Kafka, signed in as the operator; database base URL) of the running local stack."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("DATABASE_URL"):
        return KafkaSettings.from_environment(), os.environ["DATABASE_URL"].rstrip("/")
    from motcua.testing.infra import resolve_infrastructure

    infra = resolve_infrastructure()
    return infra.kafka, infra.database_url.rstrip("/")


def free_port() -> int:
    """A loopback port no one listens on now (for a server a benchmark starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
