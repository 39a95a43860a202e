"""The scopes seen so far, by kind (what rankings and gauges iterate over)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_scoring.adapters.tables import scopes

__all__ = ["known_scopes", "remember_scopes"]

_REMEMBER = sa.text(
    "INSERT INTO scopes (key, kind) SELECT k, split_part(k, ':', 1)"
    " FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k ON CONFLICT (key) DO NOTHING"
)


async def remember_scopes(conn: AsyncConnection, keys: Collection[str]) -> None:
    """Record scope keys (idempotent)."""
    if keys:
        await conn.execute(_REMEMBER, {"keys": sorted(keys)})


async def known_scopes(conn: AsyncConnection, kind: str, limit: int = 10_000) -> list[str]:
    """Scope keys of one kind, sorted."""
    query = sa.select(scopes.c.key).where(scopes.c.kind == kind).order_by(scopes.c.key)
    return list((await conn.execute(query.limit(limit))).scalars())
