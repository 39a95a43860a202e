"""API keys, stored as SHA-256 digests with a short prefix for display."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_intake.adapters.tables import api_keys

__all__ = ["StoredKey", "find_key", "insert_keys"]


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key's digest and what it may do."""

    prefix: str
    digest: bytes
    agency: str | None
    scopes: tuple[str, ...]
    label: str


async def insert_keys(conn: AsyncConnection, keys: Sequence[StoredKey]) -> None:
    """Store keys; a digest already stored is left as it is."""
    if keys:
        rows = [
            {
                "prefix": k.prefix,
                "digest": k.digest,
                "agency_code": k.agency,
                "scopes": list(k.scopes),
                "label": k.label,
            }
            for k in keys
        ]
        await conn.execute(pg_insert(api_keys).values(rows).on_conflict_do_nothing())


async def find_key(conn: AsyncConnection, digest: bytes) -> StoredKey | None:
    """The key with this digest, if any."""
    row = (
        await conn.execute(
            sa.select(
                api_keys.c.prefix,
                api_keys.c.digest,
                api_keys.c.agency_code,
                api_keys.c.scopes,
                api_keys.c.label,
            ).where(api_keys.c.digest == digest)
        )
    ).one_or_none()
    if row is None:
        return None
    return StoredKey(row.prefix, row.digest, row.agency_code, tuple(row.scopes), row.label)
