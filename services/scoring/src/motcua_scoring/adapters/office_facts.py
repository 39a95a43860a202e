"""The facts of one office's dossiers (an agency, unit, procedure or field), for reports
that break an office down by a scope the counters do not cross with it."""

from __future__ import annotations

from datetime import datetime

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_scoring.adapters.facts_json import facts_from_json
from motcua_scoring.domain import DossierFacts, Scope, ScopeKind, scopes_of

__all__ = ["facts_ended_between", "facts_of_office"]

_IDENTITY = "coalesce(facts->'reception'->'identity', facts->'refusal_identity')"
_PLACE = {
    ScopeKind.AGENCY: f"coalesce(facts->'transfer'->>'to_agency', {_IDENTITY}->>'agency')",
    ScopeKind.UNIT: (
        f"CASE WHEN facts ? 'transfer' THEN facts->'transfer'->>'to_unit'"
        f" ELSE {_IDENTITY}->>'unit' END"
    ),
    ScopeKind.PROCEDURE: f"{_IDENTITY}->>'procedure'",
    ScopeKind.FIELD: f"{_IDENTITY}->>'field'",
    ScopeKind.CHANNEL: f"{_IDENTITY}->>'channel'",
}


_END_AT = (
    "coalesce((facts->>'finished_at')::timestamptz, (facts->>'returned_at')::timestamptz,"
    " least((facts->>'refused_at')::timestamptz, (facts->>'withdrawn_at')::timestamptz))"
)
"""`DossierFacts.end_at` in SQL (finished, else returned, else the earlier of refused and
withdrawn), only to narrow the rows read: the domain decides what is listed."""


async def facts_ended_between(
    conn: AsyncConnection, office: Scope | None, start: datetime, end: datetime
) -> list[DossierFacts]:
    """Dossiers with a verdict whose handling ended at or after `start` and before
    `end`, in `office` (every dossier of the province when None); the caller keeps
    those the domain counts there."""
    where = [f"{_END_AT} >= :start", f"{_END_AT} < :end", "facts ? 'judgement'"]
    params: dict[str, object] = {"start": start, "end": end}
    if office is not None:
        place = _PLACE.get(office.kind)
        if place is None:
            raise ValueError(f"no office of kind {office.kind}")
        where.append(f"{place} = :value")
        params["value"] = office.value
    query = sa.text(
        f"SELECT facts::text AS facts FROM dossier_facts WHERE {' AND '.join(where)} ORDER BY code"
    )
    rows = await conn.execute(query, params)
    return [facts_from_json(orjson.loads(row.facts)) for row in rows]


async def facts_of_office(conn: AsyncConnection, office: Scope) -> list[DossierFacts]:
    """Every dossier counted in `office` (the province is not an office here)."""
    place = _PLACE.get(office.kind)
    if place is None:
        raise ValueError(f"no office of kind {office.kind}")
    query = sa.text(
        f"SELECT facts::text AS facts FROM dossier_facts WHERE {place} = :value ORDER BY code"
    )
    rows = await conn.execute(query, {"value": office.value})
    found = (facts_from_json(orjson.loads(row.facts)) for row in rows)
    return [facts for facts in found if office in scopes_of(facts)]
