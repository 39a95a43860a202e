"""The test kit of the common package: real infrastructure for integration tests, and a
pytest plugin (`motcua.testing.plugin`) with what every service's tests share."""

from __future__ import annotations

from motcua.clock import ManualClock
from motcua.testing.servers import create_database, create_topics, database_url, drop_database
from motcua.testing.waiting import eventually, free_port

__all__ = [
    "ManualClock",
    "create_database",
    "create_topics",
    "database_url",
    "drop_database",
    "eventually",
    "free_port",
]
