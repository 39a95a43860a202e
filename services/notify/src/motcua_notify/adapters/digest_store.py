"""Which units got their daily digest on which day (one row per unit and day)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_notify.adapters.tables import digest_runs

__all__ = ["claim_digest", "digested_units", "set_digest_size"]

_t = digest_runs


async def digested_units(session: AsyncSession, day: date) -> set[str]:
    """Units whose digest of `day` is done."""
    return set((await session.execute(sa.select(_t.c.unit_code).where(_t.c.day == day))).scalars())


async def claim_digest(session: AsyncSession, unit_code: str, day: date) -> bool:
    """Take the unit's digest of `day` (False if another run has it) until the transaction ends."""
    result = await session.execute(
        pg_insert(_t)
        .values(unit_code=unit_code, day=day, messages=0)
        .on_conflict_do_nothing()
        .returning(_t.c.unit_code)
    )
    return result.first() is not None


async def set_digest_size(session: AsyncSession, unit_code: str, day: date, messages: int) -> None:
    """Record how many messages the digest wrote."""
    await session.execute(
        sa.update(_t).where(_t.c.unit_code == unit_code, _t.c.day == day).values(messages=messages)
    )
