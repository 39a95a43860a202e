"""The indicator change log: one row per published change, read by the live stream.

Writers take a transaction-level advisory lock before appending, so sequence numbers
become visible in increasing order: a reader that has seen change N never sees a
smaller number appear later. A NOTIFY on commit wakes the readers of every process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.db import advisory_lock, json_text

__all__ = [
    "Change",
    "append_changes",
    "changes_since",
    "key_history",
    "last_seq",
    "prune_changes",
    "pruned_through",
]

_APPEND_LOCK = 7_150_300
_APPEND = sa.text(
    "INSERT INTO indicator_changes (scope, period, figures, changed_at)"
    " SELECT v.scope, v.period, CAST(v.figures AS jsonb), :changed_at FROM"
    " unnest(CAST(:scopes AS text[]), CAST(:periods AS text[]), CAST(:figures AS text[]))"
    " WITH ORDINALITY AS v(scope, period, figures, n) ORDER BY v.n"
    " RETURNING seq, scope, period"
)
_NOTIFY = sa.text("SELECT pg_notify(:channel, :payload)")
_SINCE = sa.text(
    "SELECT seq, scope, period, figures::text AS figures, changed_at FROM indicator_changes"
    " WHERE seq > :after ORDER BY seq LIMIT :limit"
)
_HISTORY = sa.text(
    "SELECT seq, scope, period, figures::text AS figures, changed_at FROM indicator_changes"
    " WHERE scope = :scope AND period = :period ORDER BY seq"
)
_LAST = sa.text("SELECT coalesce(max(seq), 0) FROM indicator_changes")
_PRUNED = sa.text("SELECT pruned_through FROM change_log_state WHERE id = 1")
_PRUNE = sa.text(
    "WITH gone AS (DELETE FROM indicator_changes WHERE changed_at < :before RETURNING seq)"
    " UPDATE change_log_state SET pruned_through ="
    " greatest(pruned_through, (SELECT coalesce(max(seq), 0) FROM gone)) WHERE id = 1"
    " RETURNING pruned_through"
)


@dataclass(frozen=True)
class Change:
    """The figures of one scope and period after a batch, numbered by `seq`."""

    seq: int
    scope: str
    period: str
    figures: dict[str, Any]
    changed_at: datetime


async def append_changes(
    conn: AsyncConnection,
    changed_at: datetime,
    figures: Sequence[tuple[str, str, dict[str, Any]]],
    channel: str,
) -> dict[tuple[str, str], int]:
    """Append changes (scope, period, figures); returns each key's sequence number."""
    if not figures:
        return {}
    await advisory_lock(conn, _APPEND_LOCK)
    result = await conn.execute(
        _APPEND,
        {
            "changed_at": changed_at,
            "scopes": [scope for scope, _, _ in figures],
            "periods": [period for _, period, _ in figures],
            "figures": [json_text(values) for _, _, values in figures],
        },
    )
    seqs = {(row.scope, row.period): row.seq for row in result}
    await conn.execute(_NOTIFY, {"channel": channel, "payload": str(max(seqs.values()))})
    return seqs


async def changes_since(conn: AsyncConnection, after: int, limit: int) -> list[Change]:
    """Changes with a sequence number above `after`, oldest first."""
    rows = await conn.execute(_SINCE, {"after": after, "limit": limit})
    return [_change(row) for row in rows]


async def key_history(conn: AsyncConnection, scope: str, period: str) -> list[Change]:
    """Every retained change of one scope and period, oldest first."""
    rows = await conn.execute(_HISTORY, {"scope": scope, "period": period})
    return [_change(row) for row in rows]


async def last_seq(conn: AsyncConnection) -> int:
    """The newest sequence number (0 when the log is empty)."""
    return int((await conn.execute(_LAST)).scalar_one())


async def pruned_through(conn: AsyncConnection) -> int:
    """Changes up to this number were deleted: a reader behind it must start afresh."""
    return int((await conn.execute(_PRUNED)).scalar_one())


async def prune_changes(conn: AsyncConnection, before: datetime) -> int:
    """Delete changes made before `before`; returns the new pruned-through number."""
    return int((await conn.execute(_PRUNE, {"before": before})).scalar_one())


def _change(row: Any) -> Change:
    return Change(row.seq, row.scope, row.period, orjson.loads(row.figures), row.changed_at)
