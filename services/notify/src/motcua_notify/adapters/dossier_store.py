"""The dossier projection in PostgreSQL: rows locked for a batch, applied in memory, written back.

Rows are created (if new) and locked in code order, so two consumers applying
intake's and tracking's events for the same dossiers wait for each other instead of
deadlocking, and the later one sees what the earlier one committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import json_text
from motcua_notify.adapters.tables import array_type, dossiers
from motcua_notify.domain.dossiers import Citizen, DossierView, FactKind
from motcua_notify.domain.messages import Channel

__all__ = [
    "WAITING",
    "lock_views",
    "open_dossiers_of",
    "parked_count",
    "purge_closed",
    "save_views",
]

_t = dossiers
_COLUMNS = [c.name for c in _t.columns if c.name != "code"]
_JSON = frozenset(c.name for c in _t.columns if isinstance(c.type, JSONB))


# One statement per batch, however many dossiers: rows created in code order (the lock
# order), and every view written back from one array per column.
_CREATE = sa.text(
    f"INSERT INTO {_t.name} (code) SELECT unnest(CAST(:codes AS text[])) ORDER BY 1"
    " ON CONFLICT DO NOTHING"
)
_SAVE = sa.text(
    f"UPDATE {_t.name} AS d SET "
    + ", ".join(
        f"{name} = CAST(v.{name} AS jsonb)" if name in _JSON else f"{name} = v.{name}"
        for name in _COLUMNS
    )
    + " FROM unnest("
    + ", ".join(f"CAST(:{c.name} AS {array_type(c)}[])" for c in _t.columns)
    + ") AS v("
    + ", ".join(c.name for c in _t.columns)
    + ") WHERE d.code = v.code"
)


async def lock_views(session: AsyncSession, codes: Iterable[str]) -> dict[str, DossierView]:
    """Create missing rows and lock every row of `codes` until the transaction ends."""
    ordered = sorted(set(codes))
    if not ordered:
        return {}
    await session.execute(_CREATE, {"codes": ordered})
    rows = await session.execute(
        sa.select(_t).where(_t.c.code.in_(ordered)).order_by(_t.c.code).with_for_update()
    )
    return {row.code: _view(row._mapping) for row in rows}


async def save_views(session: AsyncSession, views: Iterable[DossierView]) -> None:
    """Write views back (rows locked by `lock_views`)."""
    rows = [_row(view) for view in views]
    if not rows:
        return
    params: dict[str, list[Any]] = {"code": [view.code for view in views]}
    for name in _COLUMNS:
        if name in _JSON:
            params[name] = [_json(row[name]) for row in rows]
        else:
            params[name] = [row[name] for row in rows]
    await session.execute(_SAVE, params)


async def open_dossiers_of(session: AsyncSession, unit_code: str, limit: int) -> list[DossierView]:
    """The open dossiers a unit holds, soonest due first."""
    rows = await session.execute(
        sa.select(_t)
        .where(_t.c.holding_unit == unit_code, _t.c.closed_at.is_(None))
        .where(_t.c.due_at.is_not(None))
        .order_by(_t.c.due_at, _t.c.code)
        .limit(limit)
    )
    return [_view(row._mapping) for row in rows]


async def purge_closed(session: AsyncSession, closed_before: datetime) -> int:
    """Forget the applicant's contacts of dossiers closed before a time; returns how many."""
    result = await session.execute(
        sa.update(_t)
        .where(_t.c.closed_at < closed_before, _t.c.applicant.is_not(None))
        .values(applicant=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# The dossiers that wait for their applicant's contacts: events parked for them, or an
# open dossier's receipt (reception known, applicant not, receipt not sent). An erased
# applicant is waited for no more. Migration 0009's partial index has this predicate,
# word for word, so counting them reads only them.
WAITING = sa.text(
    "erased_at IS NULL AND (jsonb_array_length(parked) > 0"
    " OR (applicant IS NULL AND received_event_id IS NOT NULL"
    " AND receipt_event_id IS NULL AND closed_at IS NULL))"
)


async def parked_count(session: AsyncSession) -> int:
    """How many dossiers wait for their applicant's contacts (`WAITING`)."""
    count = await session.scalar(sa.select(sa.func.count()).select_from(_t).where(WAITING))
    return int(count or 0)


def _view(row: RowMapping | Mapping[str, Any]) -> DossierView:
    applicant = row["applicant"]
    citizen = None
    if applicant is not None:
        citizen = Citizen(
            name=applicant["name"],
            phone=applicant.get("phone"),
            email=applicant.get("email"),
            consents=frozenset(Channel(c) for c in applicant.get("consents", ())),
        )
    return DossierView(
        code=row["code"],
        agency_code=row["agency_code"],
        receiving_unit=row["receiving_unit"],
        holding_unit=row["holding_unit"],
        procedure_name=row["procedure_name"],
        citizen=citizen,
        collection_place=row["collection_place"],
        received_at=row["received_at"],
        received_event_id=row["received_event_id"],
        appointment_at=row["appointment_at"],
        due_at=row["due_at"],
        step_names=dict(row["step_names"] or {}),
        step_dues={k: datetime.fromisoformat(v) for k, v in (row["step_dues"] or {}).items()},
        current_step=row["current_step"],
        overdue=bool(row["overdue"]),
        closed_at=row["closed_at"],
        receipt_event_id=row["receipt_event_id"],
        parked=tuple(row["parked"] or ()),
        overdue_alert_id=row["overdue_alert_id"],
        cleared_due_at=row["cleared_due_at"],
        fact_times={
            FactKind(k): datetime.fromisoformat(v) for k, v in (row["fact_times"] or {}).items()
        },
        erased_at=row["erased_at"],
    )


def _json(value: Any) -> str | None:
    return None if value is None else json_text(value)


def _row(view: DossierView) -> dict[str, Any]:
    citizen = view.citizen
    applicant = None
    if citizen is not None:
        applicant = {
            "name": citizen.name,
            "phone": citizen.phone,
            "email": citizen.email,
            "consents": sorted(citizen.consents),
        }
    return {
        "agency_code": view.agency_code,
        "receiving_unit": view.receiving_unit,
        "holding_unit": view.holding_unit,
        "procedure_name": view.procedure_name,
        "applicant": applicant,
        "collection_place": view.collection_place,
        "received_at": view.received_at,
        "received_event_id": view.received_event_id,
        "appointment_at": view.appointment_at,
        "due_at": view.due_at,
        "step_names": dict(view.step_names),
        "step_dues": {k: v.isoformat() for k, v in view.step_dues.items()},
        "current_step": view.current_step,
        "overdue": view.overdue,
        "closed_at": view.closed_at,
        "receipt_event_id": view.receipt_event_id,
        "parked": list(view.parked),
        "overdue_alert_id": view.overdue_alert_id,
        "cleared_due_at": view.cleared_due_at,
        "fact_times": {k.value: v.isoformat() for k, v in view.fact_times.items()},
        "erased_at": view.erased_at,
    }
