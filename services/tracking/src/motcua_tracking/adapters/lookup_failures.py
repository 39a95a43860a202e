"""Wrong answers to citizens' look-ups in PostgreSQL, shared by every instance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_tracking.adapters.tables import LOOKUP_FAILURES
from motcua_tracking.domain.lookup_limits import Failures

__all__ = ["forget", "load_failures", "lock_failures", "purge_failures", "save_failures"]

_t = LOOKUP_FAILURES


async def load_failures(session: AsyncSession, subjects: Sequence[str]) -> dict[str, Failures]:
    """The records of `subjects` that exist (a record of no failure is left out)."""
    query = sa.select(_t).where(_t.c.subject.in_(subjects), _t.c.failures > 0)
    rows = (await session.execute(query)).all()
    return {row.subject: Failures(row.failures, row.last_at, row.blocked_until) for row in rows}


async def lock_failures(
    session: AsyncSession, subjects: Sequence[str], now: datetime
) -> dict[str, Failures]:
    """The records of `subjects`, each row created if missing and held until the
    transaction ends, so two instances counting the same subject add up."""
    placeholders = [{"subject": s, "failures": 0, "last_at": now} for s in sorted(subjects)]
    await session.execute(pg_insert(_t).values(placeholders).on_conflict_do_nothing())
    query = sa.select(_t).where(_t.c.subject.in_(subjects)).order_by(_t.c.subject)
    rows = (await session.execute(query.with_for_update())).all()
    return {
        row.subject: Failures(row.failures, row.last_at, row.blocked_until)
        for row in rows
        if row.failures > 0
    }


async def save_failures(session: AsyncSession, records: dict[str, Failures]) -> None:
    """Write the records (insert or replace)."""
    for subject, record in sorted(records.items()):
        values = {
            "subject": subject,
            "failures": record.count,
            "last_at": record.last_at,
            "blocked_until": record.blocked_until,
        }
        statement = pg_insert(_t).values(**values)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[_t.c.subject],
                set_={k: statement.excluded[k] for k in values if k != "subject"},
            )
        )


async def forget(session: AsyncSession, subject: str) -> None:
    """Drop a subject's record (a client that answered right)."""
    await session.execute(sa.delete(_t).where(_t.c.subject == subject))


async def purge_failures(session: AsyncSession, older_than: datetime) -> None:
    """Drop records whose last failure is older than `older_than` (a bounded batch)."""
    stale = sa.select(_t.c.subject).where(_t.c.last_at < older_than).limit(500)
    await session.execute(sa.delete(_t).where(_t.c.subject.in_(stale.scalar_subquery())))
