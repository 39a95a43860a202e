"""Test support of the common package: real infrastructure for integration tests."""

from __future__ import annotations

from motcua.testing.infra import (
    Infrastructure,
    InfrastructureUnavailable,
    create_database,
    create_topics,
    database_url,
    drop_database,
    resolve_infrastructure,
)
from motcua.testing.waiting import eventually, free_port

__all__ = [
    "Infrastructure",
    "InfrastructureUnavailable",
    "create_database",
    "create_topics",
    "database_url",
    "drop_database",
    "eventually",
    "free_port",
    "resolve_infrastructure",
]
