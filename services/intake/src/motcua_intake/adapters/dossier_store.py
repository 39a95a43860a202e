"""Dossiers and their recorded events in PostgreSQL (batch writes: `batch_writes`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.vocabulary import DossierStatus
from motcua_intake.adapters.tables import dossier_events, dossiers
from motcua_intake.domain.planning import DossierState

__all__ = ["existing_codes", "history", "read_state", "reserve_sequences"]

_CODES = sa.bindparam("codes", type_=ARRAY(sa.Text))
_RESERVE = (
    "INSERT INTO dossier_sequences (agency_code, day, last) "
    "SELECT * FROM unnest($1::text[], $2::date[], $3::int4[]) "
    "ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + EXCLUDED.last "
    "RETURNING agency_code, day, last"
)
_EXISTING = sa.select(dossiers.c.code).where(dossiers.c.code == sa.any_(_CODES))
_STATE = sa.select(
    dossiers.c.code, dossiers.c.agency_code, dossiers.c.status, dossiers.c.received_at
).where(dossiers.c.code == sa.bindparam("code"))
_EVENTS = (
    sa.select(dossier_events.c.envelope)
    .where(dossier_events.c.dossier_code == sa.bindparam("code"))
    .order_by(dossier_events.c.id)
)


async def reserve_sequences(
    conn: AsyncConnection, counts: Mapping[tuple[str, date], int]
) -> dict[tuple[str, date], int]:
    """Take `n` numbers from each (agency, local day) sequence; returns the last number taken.

    The row lock of `ON CONFLICT DO UPDATE` serialises concurrent callers, so no two
    transactions ever get the same number; keys are locked in sorted order.
    """
    if not counts:
        return {}
    ordered = sorted(counts.items())
    result = await conn.exec_driver_sql(
        _RESERVE,
        ([a for (a, _), _ in ordered], [d for (_, d), _ in ordered], [n for _, n in ordered]),
    )
    return {(row.agency_code, row.day): row.last for row in result}


async def existing_codes(conn: AsyncConnection, codes: Collection[str]) -> set[str]:
    """Which of `codes` are taken already."""
    if not codes:
        return set()
    return set((await conn.execute(_EXISTING, {"codes": list(codes)})).scalars())


async def read_state(conn: AsyncConnection, code: str) -> DossierState | None:
    """A dossier's state, without locking it."""
    row = (await conn.execute(_STATE, {"code": code})).one_or_none()
    if row is None:
        return None
    return DossierState(row.code, row.agency_code, DossierStatus(row.status), row.received_at)


async def history(conn: AsyncConnection, code: str) -> tuple[DossierState, list[bytes]] | None:
    """A dossier's state and its events' envelopes in the order they were recorded."""
    found = await read_state(conn, code)
    if found is None:
        return None
    return found, list((await conn.execute(_EVENTS, {"code": code})).scalars())
