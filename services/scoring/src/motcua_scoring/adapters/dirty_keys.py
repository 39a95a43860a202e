"""(scope, period) keys whose counters moved and whose figures are owed to the feeds.

A consumer batch marks keys (bumping a version); the publisher takes a snapshot of
keys and versions, publishes their figures, and clears only the versions it saw, so a
key marked again meanwhile is published again on the next pass. Marking keys notifies
`KEYS_OWED` when the batch commits, which wakes an idle publisher.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.messaging import notify
from motcua_scoring.adapters.tables import dirty_keys as _k

__all__ = ["KEYS_OWED", "DirtyKey", "KeyFilter", "clear_keys", "mark_keys", "take_keys"]

KEYS_OWED = "scoring_keys_owed"
"""The NOTIFY channel of marked keys."""

DirtyKey = tuple[str, str, int]

_MARK = sa.text(
    "INSERT INTO dirty_keys AS k (scope, period, version)"
    " SELECT s, p, 1 FROM unnest(CAST(:scopes AS text[]), CAST(:periods AS text[])) AS v(s, p)"
    " ORDER BY s, p ON CONFLICT (scope, period) DO UPDATE SET version = k.version + 1"
)
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


class KeyFilter(Protocol):
    """What a stream client watches (empty collections watch everything): scopes by name
    or by kind (`agency`, `unit`, ...), and periods."""

    @property
    def scopes(self) -> Collection[str]: ...
    @property
    def kinds(self) -> Collection[str]: ...
    @property
    def periods(self) -> Collection[str]: ...


async def take_keys(
    conn: AsyncConnection,
    limit: int,
    after: tuple[str, str] | None = None,
    watched: Sequence[KeyFilter] | None = None,
    *,
    unwatched: bool = False,
) -> list[DirtyKey]:
    """Up to `limit` owed keys with the version they were seen at, in key order from the
    first after `after`, wrapping round to the first key; with `watched`, only the keys
    one of those filters watches (or, `unwatched`, the keys none of them does).

    Read in the primary key's order: a pass costs the keys it takes, however many are owed.
    """
    among: sa.ColumnElement[bool] = sa.true()
    if watched is not None:
        wanted = sa.or_(sa.false(), *(_watches(f) for f in watched))
        among = sa.not_(wanted) if unwatched else wanted
    key = sa.tuple_(_k.c.scope, _k.c.period)
    ranges = [sa.true()] if after is None else [key > sa.tuple_(*after), key <= sa.tuple_(*after)]
    chosen: list[DirtyKey] = []
    for key_range in ranges:
        query = (
            sa.select(_k.c.scope, _k.c.period, _k.c.version)
            .where(key_range, among)
            .order_by(_k.c.scope, _k.c.period)
            .limit(limit - len(chosen))
        )
        chosen += [(s, p, v) for s, p, v in await conn.execute(query)]
        if len(chosen) >= limit:
            break
    return chosen


def _watches(wanted: KeyFilter) -> sa.ColumnElement[bool]:
    held: list[sa.ColumnElement[bool]] = []
    if wanted.scopes or wanted.kinds:
        kind = sa.func.split_part(_k.c.scope, ":", 1)
        held.append(sa.or_(_k.c.scope.in_(sorted(wanted.scopes)), kind.in_(sorted(wanted.kinds))))
    if wanted.periods:
        held.append(_k.c.period.in_(sorted(wanted.periods)))
    return sa.and_(sa.true(), *held)


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
