"""The facts of one office's dossiers (an agency, unit, procedure or field), for reports
that break an office down by a scope the counters do not cross with it."""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_scoring.adapters.facts_json import facts_from_json
from motcua_scoring.domain import DossierFacts, Scope, ScopeKind, scopes_of

__all__ = ["facts_of_office"]

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
