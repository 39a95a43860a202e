"""Alerts tracking withdrew, one row per alert: remembered even before the alert arrives."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_notify.adapters.tables import alert_withdrawals

__all__ = ["count_withdrawals", "remember_withdrawals", "set_outcome", "withdrawn_among"]

_t = alert_withdrawals


async def remember_withdrawals(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Record withdrawals of alerts not withdrawn before; return those alerts' event ids."""
    if not rows:
        return set()
    result = await session.execute(
        pg_insert(_t).on_conflict_do_nothing().returning(_t.c.alert_event_id), list(rows)
    )
    return set(result.scalars())


async def withdrawn_among(session: AsyncSession, alert_event_ids: Iterable[str]) -> set[str]:
    """Which of these alerts (event ids) were withdrawn."""
    ids = sorted(set(alert_event_ids))
    if not ids:
        return set()
    found = await session.execute(
        sa.select(_t.c.alert_event_id).where(_t.c.alert_event_id.in_(ids))
    )
    return set(found.scalars())


async def set_outcome(session: AsyncSession, alert_event_id: str, outcome: str) -> None:
    """Record what the withdrawal found (corrected, cancelled, before the alert)."""
    await session.execute(
        sa.update(_t).where(_t.c.alert_event_id == alert_event_id).values(outcome=outcome)
    )


async def count_withdrawals(
    session: AsyncSession, since: datetime | None = None
) -> list[tuple[str, str, int]]:
    """How many alerts were withdrawn, per message type and outcome (recorded since a time)."""
    outcome = sa.func.coalesce(_t.c.outcome, "unknown")
    query = sa.select(_t.c.message_type, outcome, sa.func.count()).group_by(
        _t.c.message_type, outcome
    )
    if since is not None:
        query = query.where(_t.c.recorded_at >= since)
    rows = await session.execute(query.order_by(_t.c.message_type, outcome))
    return [(message_type, found, int(count)) for message_type, found, count in rows]
