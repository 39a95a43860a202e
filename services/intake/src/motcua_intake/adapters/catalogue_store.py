"""The procedure catalogue in PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_intake.adapters.tables import procedures

__all__ = [
    "StoredProcedure",
    "insert_absent_procedures",
    "list_procedures",
    "load_procedures",
    "lock_procedure",
    "save_procedure",
]

_CODES = sa.bindparam("codes", type_=ARRAY(sa.Text))
_LOAD = sa.select(procedures.c.code, procedures.c.document, procedures.c.revision).where(
    procedures.c.code == sa.any_(_CODES)
)


@dataclass(frozen=True, slots=True)
class StoredProcedure:
    """A catalogue entry as stored: its JSON document and revision."""

    code: str
    document: dict[str, Any]
    revision: int


def _stored(row: Any) -> StoredProcedure:
    return StoredProcedure(row.code, row.document, row.revision)


async def insert_absent_procedures(
    conn: AsyncConnection, rows: Sequence[StoredProcedure]
) -> list[str]:
    """Insert procedures whose code is not stored yet; returns the codes inserted."""
    if not rows:
        return []
    values = [
        {
            "code": r.code,
            "competent_agency": r.document["competent_agency"],
            "document": r.document,
            "revision": r.revision,
        }
        for r in rows
    ]
    statement = (
        pg_insert(procedures).values(values).on_conflict_do_nothing().returning(procedures.c.code)
    )
    return list((await conn.execute(statement)).scalars())


async def load_procedures(
    conn: AsyncConnection, codes: Collection[str]
) -> dict[str, StoredProcedure]:
    """The stored entries among `codes`."""
    if not codes:
        return {}
    result = await conn.execute(_LOAD, {"codes": list(codes)})
    return {row.code: _stored(row) for row in result}


async def list_procedures(conn: AsyncConnection) -> list[StoredProcedure]:
    """The whole catalogue, by code."""
    result = await conn.execute(
        sa.select(procedures.c.code, procedures.c.document, procedures.c.revision).order_by(
            procedures.c.code
        )
    )
    return [_stored(row) for row in result]


async def lock_procedure(conn: AsyncConnection, code: str) -> StoredProcedure | None:
    """One entry, locked until the transaction ends (serialises concurrent edits)."""
    row = (
        await conn.execute(
            sa.select(procedures.c.code, procedures.c.document, procedures.c.revision)
            .where(procedures.c.code == code)
            .with_for_update()
        )
    ).one_or_none()
    return None if row is None else _stored(row)


async def save_procedure(conn: AsyncConnection, entry: StoredProcedure) -> None:
    """Create or replace an entry."""
    statement = pg_insert(procedures).values(
        code=entry.code,
        competent_agency=entry.document["competent_agency"],
        document=entry.document,
        revision=entry.revision,
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[procedures.c.code],
            set_={
                "competent_agency": statement.excluded.competent_agency,
                "document": statement.excluded.document,
                "revision": statement.excluded.revision,
                "updated_at": sa.func.now(),
            },
        )
    )
