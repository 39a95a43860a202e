"""Idempotency records: (scope, key) → request hash and the response first given."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_intake.adapters.tables import idempotency_keys

__all__ = ["StoredResponse", "claim", "complete", "find", "insert", "release"]

_t = idempotency_keys
_FIND = (
    "SELECT scope, key, request_hash, status_code, response FROM idempotency_keys "
    "WHERE (scope, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))"
)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What was answered under a key; `status_code` is None while the request is running."""

    scope: str
    key: str
    request_hash: bytes
    status_code: int | None
    response: bytes | None


async def find(
    conn: AsyncConnection, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], StoredResponse]:
    """The records of those `keys` that exist."""
    if not keys:
        return {}
    ordered = sorted(keys)
    result = await conn.exec_driver_sql(
        _FIND, ([scope for scope, _ in ordered], [key for _, key in ordered])
    )
    return {
        (row.scope, row.key): StoredResponse(
            row.scope, row.key, row.request_hash, row.status_code, row.response
        )
        for row in result
    }


async def insert(conn: AsyncConnection, records: Sequence[StoredResponse]) -> None:
    """Store completed records; a concurrent twin makes this raise IntegrityError."""
    if records:
        await conn.execute(
            sa.insert(_t),
            [
                {
                    "scope": r.scope,
                    "key": r.key,
                    "request_hash": r.request_hash,
                    "status_code": r.status_code,
                    "response": r.response,
                }
                for r in records
            ],
        )


async def claim(conn: AsyncConnection, scope: str, key: str, request_hash: bytes) -> bool:
    """Mark a long request as running under `key`; False if the key is taken."""
    statement = (
        pg_insert(_t)
        .values(scope=scope, key=key, request_hash=request_hash)
        .on_conflict_do_nothing()
        .returning(_t.c.key)
    )
    return (await conn.execute(statement)).first() is not None


async def complete(
    conn: AsyncConnection, scope: str, key: str, request_hash: bytes, status: int, body: bytes
) -> None:
    """Record the response of a claimed request."""
    await conn.execute(
        sa.update(_t)
        .where(_t.c.scope == scope, _t.c.key == key)
        .values(request_hash=request_hash, status_code=status, response=body)
    )


async def release(conn: AsyncConnection, scope: str, key: str) -> None:
    """Forget a claim whose request failed, so it can be retried."""
    await conn.execute(
        sa.delete(_t).where(_t.c.scope == scope, _t.c.key == key, _t.c.status_code.is_(None))
    )
