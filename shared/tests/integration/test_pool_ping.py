"""The engine's pool on a real server: a connection that sat idle is pinged before it is
lent, one just returned is not, and a connection the server dropped heals the whole pool."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua import db
from motcua.db import create_engine
from motcua.settings import DatabaseSettings

pytestmark = pytest.mark.infra


@contextlib.asynccontextmanager
async def _pool(url: str, size: int) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(url=url, pool_size=size, max_overflow=0))
    try:
        yield engine
    finally:
        await engine.dispose()


async def _pid(conn: AsyncConnection) -> int:
    """The server process behind a connection."""
    return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return await _pid(conn)


async def _terminate(base_url: str, pid: int) -> None:
    """End one server process, as a restart of the server does to every one of them."""
    async with _pool(base_url, 1) as other, other.connect() as conn:
        ended = await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert ended.scalar_one()


async def test_an_idle_connection_the_server_dropped_is_replaced_before_it_is_lent(
    fresh_database_url, monkeypatch
):
    async with _pool(fresh_database_url, 1) as engine:
        dropped = await _backend_pid(engine)
        await _terminate(fresh_database_url, dropped)
        monkeypatch.setattr(db, "IDLE_BEFORE_PING", 0.0)  # every returned connection is idle

        assert await _backend_pid(engine) != dropped  # no error: the ping found it gone


async def test_a_connection_just_returned_is_lent_without_a_ping_and_heals_on_its_error(
    fresh_database_url, monkeypatch
):
    async with _pool(fresh_database_url, 2) as engine:
        async with engine.connect() as first, engine.connect() as second:  # two in the pool
            pids = {await _pid(first), await _pid(second)}
        for pid in pids:
            await _terminate(fresh_database_url, pid)
        monkeypatch.setattr(db, "IDLE_BEFORE_PING", 3600.0)  # nothing counts as idle

        with pytest.raises(DBAPIError) as raised:
            await _backend_pid(engine)
        assert raised.value.connection_invalidated

        # The error invalidated the whole pool: the other dropped connection is not lent.
        assert await _backend_pid(engine) not in pids
        assert await _backend_pid(engine) not in pids
