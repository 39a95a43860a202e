"""The additive counter table: deltas in, the rows `evaluate` needs out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_scoring.domain import STANDING_COUNTERS, CounterKey

__all__ = ["ScopeTables", "add_deltas", "read_rows"]

ScopeTables = dict[str, dict[CounterKey, int]]

_ADD = sa.text(
    "INSERT INTO counters AS c (scope, period, counter, value)"
    " SELECT * FROM unnest(CAST(:scopes AS text[]), CAST(:periods AS text[]),"
    " CAST(:counters AS text[]), CAST(:values AS bigint[]))"
    " ON CONFLICT (scope, period, counter) DO UPDATE SET value = c.value + EXCLUDED.value"
)
_FLOWS = sa.text(
    "SELECT c.scope, c.period, c.counter, c.value FROM counters AS c"
    " JOIN unnest(CAST(:scopes AS text[]), CAST(:periods AS text[])) AS k(scope, period)"
    " ON c.scope = k.scope AND c.period = k.period"
)
_STANDING = sa.text(
    "SELECT c.scope, c.period, c.counter, c.value FROM counters AS c"
    " JOIN unnest(CAST(:scopes AS text[]), CAST(:periods AS text[])) AS k(scope, period)"
    " ON c.scope = k.scope AND c.period = k.period"
    " WHERE c.counter = ANY(CAST(:standing AS text[]))"
)
_STANDING_NAMES = [str(c) for c in STANDING_COUNTERS]


async def add_deltas(conn: AsyncConnection, deltas: Mapping[CounterKey, int]) -> None:
    """Add deltas to the table in one statement, rows in key order (no deadlocks)."""
    keys = sorted(k for k, v in deltas.items() if v)
    if not keys:
        return
    await conn.execute(
        _ADD,
        {
            "scopes": [k.scope for k in keys],
            "periods": [k.period for k in keys],
            "counters": [k.counter for k in keys],
            "values": [deltas[k] for k in keys],
        },
    )


async def read_rows(
    conn: AsyncConnection,
    flows: Iterable[tuple[str, str]],
    standing: Iterable[tuple[str, str]],
) -> ScopeTables:
    """Every counter of the `flows` (scope, period) pairs and the standing counters of
    the `standing` pairs, grouped by scope."""
    tables: ScopeTables = {}
    for statement, pairs, extra in (
        (_FLOWS, sorted(set(flows)), {}),
        (_STANDING, sorted(set(standing)), {"standing": _STANDING_NAMES}),
    ):
        if not pairs:
            continue
        params = {"scopes": [s for s, _ in pairs], "periods": [p for _, p in pairs], **extra}
        for scope, period, counter, value in (await conn.execute(statement, params)).all():
            tables.setdefault(scope, {})[CounterKey(scope, period, counter)] = value
    return tables
