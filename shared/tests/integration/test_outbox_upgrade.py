"""The outbox holds only the events still owed (real PostgreSQL): an outbox of the older
shape, which marked published events and kept them a day, is brought to it by `migrate`."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.messaging.schema import upgrade_messaging_tables

pytestmark = pytest.mark.infra

_OLDER_SHAPE = (
    "ALTER TABLE outbox ADD COLUMN published_at timestamptz",
    "DROP INDEX outbox_pending",
    "CREATE INDEX outbox_pending ON outbox (shard, id) WHERE published_at IS NULL",
    "CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL",
    "INSERT INTO outbox (event_id, topic, key, shard, payload, published_at)"
    " SELECT gen_random_uuid(), 't', 'k' || n, n % 8, '\\x00',"
    " CASE WHEN n < 3 THEN NULL ELSE now() END FROM generate_series(0, 9) AS n",
)
_SHAPE = text(
    "SELECT (SELECT array_agg(column_name::text ORDER BY column_name::text)"
    "        FROM information_schema.columns WHERE table_name = 'outbox'"
    "        AND table_schema = current_schema()),"
    "       (SELECT array_agg(indexdef ORDER BY indexname) FROM pg_indexes"
    "        WHERE tablename = 'outbox' AND schemaname = current_schema()),"
    "       (SELECT array_agg(key ORDER BY key) FROM outbox)"
)


async def test_an_older_outbox_keeps_only_what_is_owed(db_engine: AsyncEngine) -> None:
    async with db_engine.begin() as conn:
        created = (await conn.execute(_SHAPE)).one()
        await conn.execute(text("DELETE FROM outbox"))
        for statement in _OLDER_SHAPE:
            await conn.execute(text(statement))
        await conn.run_sync(upgrade_messaging_tables)
        await conn.run_sync(upgrade_messaging_tables)
        columns, indexes, keys = (await conn.execute(_SHAPE)).one()
    # The events not yet published stay, to be published; those published are gone.
    assert keys == ["k0", "k1", "k2"]
    # The table is as a new database creates it.
    assert (columns, indexes) == (created[0], created[1])
