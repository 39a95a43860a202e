"""Fixtures of the HTTP fuzz tests: one database for each service's module."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from motcua.testing.infra import create_database, drop_database


@pytest.fixture(scope="module")
async def fuzz_database(database_base_url: str) -> AsyncIterator[str]:
    """A new, empty database for the module's service, dropped afterwards."""
    name = f"t_fuzz_{uuid.uuid4().hex[:12]}"
    await create_database(database_base_url, name)
    yield f"{database_base_url}/{name}"
    await drop_database(database_base_url, name)
