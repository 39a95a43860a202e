"""(scope, period) keys whose counters moved and whose figures are owed to the feeds.

A consumer batch marks keys (bumping a version); the publisher takes a snapshot of
keys and versions, publishes their figures, and clears only the versions it saw, so a
key marked again meanwhile is published again on the next pass. Marking keys notifies
`KEYS_OWED` when the batch commits, which wakes an idle publisher.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.messaging import notify

__all__ = ["KEYS_OWED", "DirtyKey", "clear_keys", "mark_keys", "take_keys"]

KEYS_OWED = "scoring_keys_owed"
"""The NOTIFY channel of marked keys."""

DirtyKey = tuple[str, str, int]

_MARK = sa.text(
    "INSERT INTO dirty_keys AS k (scope, period, version)"
    " SELECT s, p, 1 FROM unnest(CAST(:scopes AS text[]), CAST(:periods AS text[])) AS v(s, p)"
    " ORDER BY s, p ON CONFLICT (scope, period) DO UPDATE SET version = k.version + 1"
)
_TAKE = sa.text("SELECT scope, period, version FROM dirty_keys ORDER BY scope, period LIMIT :n")
_CLEAR = sa.text(
    "WITH seen AS (SELECT k.scope, k.period FROM dirty_keys AS k"
    " JOIN unnest(CAST(:scopes AS text[]), CAST(:periods AS text[]),"
    " CAST(:versions AS bigint[])) AS v(s, p, n)"
    " ON k.scope = v.s AND k.period = v.p AND k.version = v.n"
    " ORDER BY k.scope, k.period FOR UPDATE OF k)"
    " DELETE FROM dirty_keys AS d USING seen"
    " WHERE d.scope = seen.scope AND d.period = seen.period"
)


async def mark_keys(conn: AsyncConnection, keys: Collection[tuple[str, str]]) -> None:
    """Mark keys as owed (in key order, so concurrent batches never deadlock)."""
    if keys:
        ordered = sorted(keys)
        await conn.execute(
            _MARK, {"scopes": [s for s, _ in ordered], "periods": [p for _, p in ordered]}
        )
        await notify(conn, KEYS_OWED)


async def take_keys(conn: AsyncConnection, limit: int) -> list[DirtyKey]:
    """Up to `limit` owed keys with the version they were seen at."""
    rows = await conn.execute(_TAKE, {"n": limit})
    return [(scope, period, version) for scope, period, version in rows]


async def clear_keys(conn: AsyncConnection, keys: Sequence[DirtyKey]) -> None:
    """Forget keys published at the version seen; keys marked since stay owed.

    Rows are locked in key order, as batches mark them, so the two never deadlock.
    """
    if keys:
        await conn.execute(
            _CLEAR,
            {
                "scopes": [k[0] for k in keys],
                "periods": [k[1] for k in keys],
                "versions": [k[2] for k in keys],
            },
        )
