"""Fixtures: the portal's tables migrated in a fresh database, the fake portal in process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.db import Sessions, create_engine, migrate, sessions
from motcua.settings import DatabaseSettings
from motcua_portal.app import MIGRATIONS


@pytest.fixture
async def portal_engine(fresh_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(url=fresh_database_url, pool_size=3))
    await migrate(engine, MIGRATIONS)
    yield engine
    await engine.dispose()


@pytest.fixture
def portal_sessions(portal_engine: AsyncEngine) -> Sessions:
    return sessions(portal_engine)
