"""The outbox's housekeeping reads what it needs, not every event kept (real PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.messaging import outbox
from motcua.messaging.schema import upgrade_messaging_tables
from motcua.settings import OutboxSettings
from motcua.testing.database import plans_without_scans

pytestmark = pytest.mark.infra


async def test_housekeeping_finds_old_events_through_an_index(db_engine: AsyncEngine) -> None:
    relay = outbox.OutboxRelay(db_engine, None, OutboxSettings(), "test")  # type: ignore[arg-type]
    plans = await plans_without_scans(db_engine, relay.housekeeping)
    assert len(plans) == 2
    assert all("Seq Scan" not in plan for plan in plans), plans
    assert "outbox_published" in plans[1]


async def test_an_older_outbox_gains_the_index(db_engine: AsyncEngine) -> None:
    async with db_engine.begin() as conn:
        await conn.execute(text("DROP INDEX outbox_published"))
        await conn.run_sync(upgrade_messaging_tables)
        await conn.run_sync(upgrade_messaging_tables)
        found = await conn.execute(text("SELECT to_regclass('outbox_published')"))
    assert found.scalar() == "outbox_published"
