"""The dossiers a scope resolved in a period, by category (early, on time, late with
and without an apology, re-appointments kept and broken), from the same definitions as
the counts: a category lists as many dossiers as its figure in `/v1/indicators` and the
progress report. An agency lists the dossiers of the agencies merged into it from each
merge date, as its figures count them (`domain.merges`). No personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.http import vietnam_time
from motcua_scoring import domain as d
from motcua_scoring.adapters.agency_store import AgencyDirectory, load_directory
from motcua_scoring.adapters.office_facts import facts_ended_between
from motcua_scoring.domain.indicators import as_of_day
from motcua_scoring.domain.merges import absorbed_by, from_date
from motcua_scoring.domain.resolved import ResolvedDossier, resolved_in, tally_categories
from motcua_scoring.service.reading import Reader

__all__ = ["LISTED_KINDS", "resolved_dossiers"]

LISTED_KINDS = (
    d.ScopeKind.PROVINCE,
    d.ScopeKind.AGENCY,
    d.ScopeKind.UNIT,
    d.ScopeKind.PROCEDURE,
    d.ScopeKind.FIELD,
)


async def resolved_dossiers(
    reader: Reader, scope: d.Scope, period: d.Period, category: str | None, limit: int
) -> dict[str, Any]:
    """Every category's count and the dossiers of one category (all when None), latest
    resolved first, at most `limit`."""
    if scope.kind not in LISTED_KINDS:
        kinds = ", ".join(k.value for k in LISTED_KINDS)
        raise ValueError(f"resolved dossiers are listed by {kinds}, not {scope.kind}")
    now = reader.clock.now()
    async with reader.engine.connect() as conn:
        directory = await load_directory(conn)
        resolved = await _resolved(conn, directory, scope, period, now)
    wanted = [r for r in resolved if category is None or category in r.categories]
    return {
        "now": vietnam_time(now).isoformat(),
        "scope": scope.key,
        "period": period.key,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "category": category,
        "counts": tally_categories(resolved),
        "total": len(wanted),
        "items": [_item_json(r, directory) for r in wanted[:limit]],
    }


async def _resolved(
    conn: AsyncConnection,
    directory: AgencyDirectory,
    scope: d.Scope,
    period: d.Period,
    now: datetime,
) -> list[ResolvedDossier]:
    office = None if scope.kind is d.ScopeKind.PROVINCE else scope
    facts = await facts_ended_between(conn, office, period.start, period.end)
    found = resolved_in(facts, scope, period)
    for absorbed, since in absorbed_by(scope, directory.merges):
        part = from_date(period, since, as_of_day(period, now))
        if part is not None:
            theirs = await facts_ended_between(conn, absorbed, part.start, part.end)
            found += resolved_in(theirs, absorbed, part)
    return sorted(found, key=lambda r: (r.resolved_at, r.facts.code), reverse=True)


def _item_json(item: ResolvedDossier, directory: AgencyDirectory) -> dict[str, Any]:
    facts = item.facts
    judgement = facts.judgement
    assert judgement is not None  # listed only with a verdict
    return {
        "code": facts.code,
        "agency_code": facts.agency,
        "agency_name": directory.agencies.get(facts.agency or ""),
        "unit_code": facts.unit,
        "unit_name": directory.units.get(facts.unit or ""),
        "procedure_code": facts.procedure,
        "procedure_name": directory.procedures.get(facts.procedure or ""),
        "received_at": _local(facts.received_at),
        "due_at": _local(facts.due_at),
        "resolved_at": _local(item.resolved_at),
        "verdict": judgement.verdict.value,
        "processing_days": float(judgement.processing_days),
        "apology": judgement.apology.value,
        "new_appointment_at": _local(facts.reappointed_to),
        "reappointment_kept": facts.reappointment_kept,
        "categories": list(item.categories),
    }


def _local(instant: datetime | None) -> str | None:
    return instant.astimezone(d.LOCAL_TZ).isoformat() if instant else None
