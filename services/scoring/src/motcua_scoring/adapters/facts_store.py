"""Dossier facts rows: locked for the batch that updates them, then written back."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_scoring.adapters.facts_json import facts_from_json, facts_to_json
from motcua_scoring.domain import DossierFacts

__all__ = ["Alerts", "StoredDossier", "lock_dossiers", "save_dossiers"]

_PLACEHOLDERS = sa.text(
    "INSERT INTO dossier_facts (code) SELECT unnest(CAST(:codes AS text[])) AS code"
    " ORDER BY code ON CONFLICT (code) DO NOTHING"
)
_LOCK = sa.text(
    "SELECT code, facts::text AS facts, alerts::text AS alerts FROM dossier_facts"
    " WHERE code = ANY(CAST(:codes AS text[])) ORDER BY code FOR UPDATE"
)
_SAVE = sa.text(
    "UPDATE dossier_facts AS d SET facts = CAST(v.facts AS jsonb),"
    " alerts = CAST(v.alerts AS jsonb), updated_at = now()"
    " FROM unnest(CAST(:codes AS text[]), CAST(:facts AS text[]), CAST(:alerts AS text[]))"
    " AS v(code, facts, alerts) WHERE d.code = v.code"
)


@dataclass(frozen=True)
class Alerts:
    """Tracking's latest warnings for a dossier: the due times they were given for."""

    due_soon_for: datetime | None = None
    overdue_for: datetime | None = None

    def merge(self, other: Alerts) -> Alerts:
        """The later warning of each kind (order-independent)."""
        return Alerts(
            _latest(self.due_soon_for, other.due_soon_for),
            _latest(self.overdue_for, other.overdue_for),
        )


@dataclass
class StoredDossier:
    """A dossier's row: its facts (None before any countable update) and alerts."""

    code: str
    facts: DossierFacts | None = None
    alerts: Alerts = field(default_factory=Alerts)


async def lock_dossiers(conn: AsyncConnection, codes: Collection[str]) -> dict[str, StoredDossier]:
    """The rows of `codes`, created when missing and locked until the transaction ends.

    Rows are created and locked in code order, so concurrent batches over the same
    dossiers wait for each other instead of deadlocking or losing an update.
    """
    ordered = sorted(codes)
    await conn.execute(_PLACEHOLDERS, {"codes": ordered})
    result = await conn.execute(_LOCK, {"codes": ordered})
    stored = {}
    for row in result:
        facts = facts_from_json(orjson.loads(row.facts)) if row.facts else None
        stored[row.code] = StoredDossier(row.code, facts, _alerts(orjson.loads(row.alerts)))
    return stored


async def save_dossiers(conn: AsyncConnection, dossiers: Mapping[str, StoredDossier]) -> None:
    """Write back facts and alerts of locked rows."""
    if not dossiers:
        return
    codes = sorted(dossiers)
    facts = [_dump(dossiers[c].facts) for c in codes]
    alerts = [orjson.dumps(_alerts_json(dossiers[c].alerts)).decode() for c in codes]
    await conn.execute(_SAVE, {"codes": codes, "facts": facts, "alerts": alerts})


def _dump(facts: DossierFacts | None) -> str | None:
    return None if facts is None else orjson.dumps(facts_to_json(facts)).decode()


def _alerts(data: Mapping[str, Any]) -> Alerts:
    return Alerts(
        *(
            datetime.fromisoformat(data[k]) if data.get(k) else None
            for k in ("due_soon_for", "overdue_for")
        )
    )


def _alerts_json(alerts: Alerts) -> dict[str, str | None]:
    return {
        "due_soon_for": alerts.due_soon_for.isoformat() if alerts.due_soon_for else None,
        "overdue_for": alerts.overdue_for.isoformat() if alerts.overdue_for else None,
    }


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)
