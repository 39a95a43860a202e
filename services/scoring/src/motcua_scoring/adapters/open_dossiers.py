"""The projection of open dossiers (no personal data): where each is and when it is due."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_scoring.adapters.tables import open_dossiers

__all__ = ["OpenDossier", "close_dossiers", "due_between", "list_open", "upsert_open"]


@dataclass(frozen=True)
class OpenDossier:
    code: str
    agency: str | None
    unit: str | None
    procedure: str | None
    received_at: datetime
    due_at: datetime | None
    due_soon_for: datetime | None
    overdue_for: datetime | None


_TEXTS = ("code", "agency", "unit", "procedure")
_TIMES = ("received_at", "due_at", "due_soon_for", "overdue_for")
# One statement whatever the batch's size (prepared once, not compiled per batch).
_UPSERT = sa.text(
    f"INSERT INTO {open_dossiers.name} ({', '.join(_TEXTS + _TIMES)})"
    " SELECT * FROM unnest("
    + ", ".join(
        [f"CAST(:{c} AS text[])" for c in _TEXTS] + [f"CAST(:{c} AS timestamptz[])" for c in _TIMES]
    )
    + ") ON CONFLICT (code) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _TEXTS[1:] + _TIMES)
)


async def upsert_open(conn: AsyncConnection, rows: Sequence[OpenDossier]) -> None:
    """Insert or replace open dossiers (in code order: concurrent batches never deadlock)."""
    if not rows:
        return
    ordered = sorted(rows, key=lambda r: r.code)
    await conn.execute(_UPSERT, {c: [getattr(row, c) for row in ordered] for c in _TEXTS + _TIMES})


async def close_dossiers(conn: AsyncConnection, codes: Collection[str]) -> None:
    """Remove dossiers that are no longer open."""
    if codes:
        await conn.execute(sa.delete(open_dossiers).where(open_dossiers.c.code.in_(sorted(codes))))


async def list_open(
    conn: AsyncConnection,
    *,
    place: tuple[str, str] | None = None,
    limit: int = 50,
) -> list[OpenDossier]:
    """Open dossiers with a due time, soonest due first; `place` is (`agency`, code),
    (`unit`, code) or (`procedure`, code) to keep one agency's, unit's or procedure's."""
    query = sa.select(open_dossiers).where(open_dossiers.c.due_at.is_not(None))
    if place is not None:
        column, value = place
        if column not in {"agency", "unit", "procedure"}:
            raise ValueError(f"open dossiers are not filed by {column}")
        query = query.where(open_dossiers.c[column] == value)
    query = query.order_by(open_dossiers.c.due_at, open_dossiers.c.code).limit(limit)
    return [OpenDossier(**row._mapping) for row in await conn.execute(query)]


async def due_between(conn: AsyncConnection, start: datetime, end: datetime) -> list[str]:
    """Codes of open dossiers due at or after `start` and before `end`."""
    query = sa.select(open_dossiers.c.code).where(
        open_dossiers.c.due_at >= start, open_dossiers.c.due_at < end
    )
    return list((await conn.execute(query.order_by(open_dossiers.c.code))).scalars())
