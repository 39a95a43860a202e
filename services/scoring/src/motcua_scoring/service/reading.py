"""Read-side use cases: indicators, rankings, open dossiers, the day's trend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.clock import Clock
from motcua.http import vietnam_time
from motcua.verdicts import Granularity, standing
from motcua_scoring import domain as d
from motcua_scoring.adapters.agency_store import load_directory
from motcua_scoring.adapters.change_log import key_history, last_seq
from motcua_scoring.adapters.open_dossiers import OpenDossier, list_open
from motcua_scoring.adapters.scope_store import known_scopes
from motcua_scoring.domain.merges import merged_away, names_of
from motcua_scoring.domain.periods import day_period, local_date
from motcua_scoring.service.evaluation import evaluate_many
from motcua_scoring.service.figures import number, report_json

__all__ = ["RANKED_KINDS", "TREND_FIGURES", "Reader"]

RANKED_KINDS = (d.ScopeKind.AGENCY, d.ScopeKind.UNIT)
TREND_FIGURES = (
    "received",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress",
    "in_progress_overdue",
)
RANKING_COMPANIONS = ("received", "resolved", "on_time_rate", "in_progress_overdue")
TREND_BUCKET = timedelta(minutes=5)


@dataclass(frozen=True)
class Reader:
    """Answers the HTTP API from the counter table, the change log and the projection."""

    engine: AsyncEngine
    clock: Clock
    earliest_year: int
    granularity: Granularity = Granularity.WORKING_DAY

    async def indicators(
        self, scopes: Sequence[d.Scope], periods: Sequence[d.Period]
    ) -> dict[str, Any]:
        """Full reports for every scope × period, and the change log position they match."""
        now = self.clock.now()
        pairs = [(scope, period) for scope in scopes for period in periods]
        async with self.engine.connect() as conn:
            last = await last_seq(conn)
            directory = await load_directory(conn)
            evaluated = await evaluate_many(conn, pairs, now, self.earliest_year, directory.merges)
        names = names_of(scopes, directory.agencies, directory.units, directory.procedures)
        return {
            "now": vietnam_time(now).isoformat(),
            "last_event_id": last,
            "items": [
                {**report_json(evaluated[(s.key, p.key)]), "name": names.get(s.key)}
                for s, p in pairs
            ],
        }

    async def scopes(self, kind: d.ScopeKind) -> list[str]:
        """Scope keys of one kind seen so far."""
        async with self.engine.connect() as conn:
            return await known_scopes(conn, kind.value)

    async def named_scopes(self, kind: d.ScopeKind) -> tuple[list[str], dict[str, str]]:
        """Scope keys of one kind seen so far, and the names intake published for them."""
        async with self.engine.connect() as conn:
            keys = await known_scopes(conn, kind.value)
            directory = await load_directory(conn)
        names = names_of(
            map(d.parse_scope, keys), directory.agencies, directory.units, directory.procedures
        )
        return keys, names

    async def rankings(self, kind: d.ScopeKind, figure: str, period: d.Period) -> dict[str, Any]:
        """Agencies or units of the province ranked by one figure."""
        now = self.clock.now()
        async with self.engine.connect() as conn:
            directory = await load_directory(conn)
            gone = merged_away(directory.merges, period.first)
            keys = [k for k in await known_scopes(conn, kind.value) if _code(k) not in gone]
            evaluated = await evaluate_many(
                conn,
                [(d.parse_scope(k), period) for k in keys],
                now,
                self.earliest_year,
                directory.merges if kind is d.ScopeKind.AGENCY else (),
            )
        names = names_of(
            [d.parse_scope(k) for k in keys],
            directory.agencies,
            directory.units,
            directory.procedures,
        )
        summaries = {d.parse_scope(s): d.summarise(ind) for (s, _), ind in evaluated.items()}
        volumes = {d.parse_scope(s): ind.resolved for (s, _), ind in evaluated.items()}
        higher_is_better = figure not in d.LOWER_IS_BETTER
        ranked = d.rank(
            {scope: s[figure] for scope, s in summaries.items()},
            kind,
            higher_is_better,
            volumes,
        )
        return {
            "now": vietnam_time(now).isoformat(),
            "period": period.key,
            "kind": kind.value,
            "figure": figure,
            "higher_is_better": higher_is_better,
            "items": [
                {
                    "rank": r.rank,
                    "tied": r.tied,
                    "volume": r.volume,
                    "scope": r.scope.key,
                    "code": r.scope.value,
                    "name": names.get(r.scope.key),
                    "value": number(r.value),
                    "figures": {n: number(summaries[r.scope][n]) for n in RANKING_COMPANIONS},
                }
                for r in ranked
            ],
        }

    async def open_dossiers(self, scope: d.Scope, limit: int) -> dict[str, Any]:
        """Open dossiers soonest due first, each marked overdue, due soon or within
        deadline by the rule the in-progress numbers and tracking's look-ups use
        (`motcua.verdicts`), so the list, the overdue count and tracking agree."""
        now = self.clock.now()
        place = _place(scope)
        async with self.engine.connect() as conn:
            rows = await list_open(conn, place=place, limit=limit)
        return {
            "now": vietnam_time(now).isoformat(),
            "scope": scope.key,
            "items": [_open_json(row, now, self.granularity) for row in rows],
        }

    async def trend(self, scope: d.Scope, day: date | None) -> dict[str, Any]:
        """The day's figures as they changed during that day, in time order, the last
        value of each five minutes. A day's figures can change before the day (a due time
        set days ahead marks the day it turns overdue); those changes, and any stamped
        after now, are not points of the day."""
        now = self.clock.now()
        period = day_period(day or local_date(now))
        async with self.engine.connect() as conn:
            changes = await key_history(conn, scope.key, period.key)
        during = [c for c in changes if period.contains(c.changed_at) and c.changed_at <= now]
        buckets: dict[datetime, dict[str, Any]] = {}
        for change in sorted(during, key=lambda c: (c.changed_at, c.seq)):
            bucket = _floor(change.changed_at, TREND_BUCKET)
            point = {"at": vietnam_time(change.changed_at).isoformat(), "seq": change.seq}
            point.update({name: change.figures.get(name) for name in TREND_FIGURES})
            buckets[bucket] = point
        return {
            "now": vietnam_time(now).isoformat(),
            "scope": scope.key,
            "period": period.key,
            "points": list(buckets.values()),
        }


def _code(key: str) -> str:
    return key.partition(":")[2]


def _place(scope: d.Scope) -> tuple[str, str] | None:
    if scope.kind is d.ScopeKind.PROVINCE:
        return None
    if scope.kind in (d.ScopeKind.AGENCY, d.ScopeKind.UNIT, d.ScopeKind.PROCEDURE):
        return scope.kind.value, scope.value
    raise ValueError(
        f"open dossiers are listed by province, agency, unit or procedure, not {scope.kind}"
    )


def _open_json(row: OpenDossier, now: datetime, granularity: Granularity) -> dict[str, Any]:
    warnings = _warnings(row)
    return {
        "code": row.code,
        "agency_code": row.agency,
        "unit_code": row.unit,
        "procedure_code": row.procedure,
        "received_at": vietnam_time(row.received_at).isoformat(),
        "due_at": vietnam_time(row.due_at).isoformat() if row.due_at else None,
        "state": standing(row.due_at, now, granularity, warned=bool(warnings)).value,
        "alerts": warnings,
    }


def _warnings(row: OpenDossier) -> list[str]:
    """Tracking's warnings that stand for the current due time (withdrawn ones are gone):
    an overdue warning fires once the appointment time has passed, while by working day
    the dossier counts overdue from the next day (finishing on the appointment day is on
    time)."""
    due = row.due_at
    if due is None:
        return []
    warned = (("due_soon", row.due_soon_for), ("overdue", row.overdue_for))
    return [kind for kind, for_due in warned if for_due is not None and for_due >= due]


def _floor(instant: datetime, step: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=instant.tzinfo)
    return instant - (instant - epoch) % step
