"""Intake heals itself: a database restart does not stop it saving writes, and health says so."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

pytestmark = pytest.mark.infra


async def admin(database_base_url: str) -> asyncpg.Connection:
    dsn = database_base_url.replace("postgresql+asyncpg://", "postgresql://") + "/postgres"
    return await asyncpg.connect(dsn)


async def take_database_down(database_base_url: str, database: str) -> int:
    """What a restart looks like to the service, on the test's own database only: every
    connection dropped, and new ones refused until `bring_database_back`."""
    conn = await admin(database_base_url)
    try:
        await conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await conn.close()
    return len(rows)


async def bring_database_back(database_base_url: str, database: str) -> None:
    conn = await admin(database_base_url)
    try:
        await conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    finally:
        await conn.close()


async def test_writes_are_saved_again_after_the_database_connections_drop(
    start_intake, registration, database_base_url, fresh_database_url
):
    database = fresh_database_url.rsplit("/", 1)[1]
    async with start_intake() as intake:
        first = await intake.post("/v1/dossiers", registration())
        assert first.status_code == 201, first.text

        assert await take_database_down(database_base_url, database) > 0
        try:
            for _ in range(3):
                down = await asyncio.wait_for(intake.post("/v1/dossiers", registration()), 10)
                assert down.status_code == 503, down.text
                assert down.headers["content-type"] == "application/problem+json"
        finally:
            await bring_database_back(database_base_url, database)

        # Within a few backoffs writes are saved again, without a restart.
        deadline = time.monotonic() + 20
        statuses = []
        while time.monotonic() < deadline:
            response = await asyncio.wait_for(intake.post("/v1/dossiers", registration()), 10)
            statuses.append(response.status_code)
            if response.status_code == 201:
                break
            assert response.status_code == 503, response.text
            await asyncio.sleep(0.2)
        assert statuses[-1] == 201, f"intake did not save a write again: {statuses}"
        saved = await intake.scalar("SELECT count(*) FROM dossiers")
        assert saved == 2

        health = await intake.client.get("/health")
        assert health.status_code == 200, health.text
        ready = await intake.client.get("/ready")
        assert ready.status_code == 200, ready.text
