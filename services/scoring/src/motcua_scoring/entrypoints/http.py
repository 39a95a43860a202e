"""The JSON API: indicators, rankings, scopes, open dossiers and the day's trend."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from motcua_scoring import domain as d
from motcua_scoring.entrypoints.deps import ReaderDep
from motcua_scoring.entrypoints.params import parse_periods, parse_scopes
from motcua_scoring.service.reading import RANKED_KINDS

__all__ = ["api_router"]

MAX_PAIRS = 1000

ScopeQuery = Annotated[
    list[str], Query(description="Scope keys, e.g. `province:all`, `agency:STP`, `unit:A`.")
]
KindQuery = Annotated[
    d.ScopeKind | None, Query(description="Every known scope of this kind, besides `scope`.")
]
PeriodQuery = Annotated[
    list[str],
    Query(
        description="Period keys (`2026-11-21`, `2026-11`, `2026-Q4`, `2026`, "
        "`2026-11-01..2026-11-21`) or `today`, `month`, `quarter`, `year`."
    ),
]
FromQuery = Annotated[date | None, Query(alias="from", description="First day of a range.")]
ToQuery = Annotated[date | None, Query(description="Last day of a range (included).")]


def api_router() -> APIRouter:
    """Routes under `/v1`."""
    router = APIRouter(prefix="/v1", tags=["indicators"])

    @router.get("/indicators", summary="Indicators by scope and period")
    async def indicators(
        reader: ReaderDep,
        scope: ScopeQuery = [],  # noqa: B006 - FastAPI copies query defaults
        kind: KindQuery = None,
        period: PeriodQuery = [],  # noqa: B006
        from_: FromQuery = None,
        to: ToQuery = None,
    ) -> dict[str, Any]:
        """Counts, rates and Decision 766 points of each scope in each period.

        `last_event_id` is the change-log position the numbers reflect: pass it as
        `Last-Event-ID` to the stream to receive every later change.
        """
        scopes = parse_scopes(scope) if scope or kind is None else []
        if kind is not None:
            scopes += [d.parse_scope(key) for key in await reader.scopes(kind)]
        periods = parse_periods(period, from_, to, reader.clock.now())
        if len(scopes) * len(periods) > MAX_PAIRS:
            raise HTTPException(422, f"at most {MAX_PAIRS} scope × period pairs per request")
        return await reader.indicators(scopes, periods)

    @router.get("/rankings", summary="Agencies or units ranked by one indicator")
    async def rankings(
        reader: ReaderDep,
        indicator: Annotated[str, Query(description="Any figure name of `/v1/indicators`.")] = (
            "on_time_rate"
        ),
        kind: Annotated[d.ScopeKind, Query(description="`agency` or `unit`.")] = (
            d.ScopeKind.AGENCY
        ),
        period: PeriodQuery = [],  # noqa: B006
        from_: FromQuery = None,
        to: ToQuery = None,
    ) -> dict[str, Any]:
        """Competition ranking (1, 2, 2, 4) within the province; lateness-type figures
        rank lowest first; scopes with no value come last, unranked."""
        if indicator not in d.FIGURES:
            raise HTTPException(422, f"unknown indicator {indicator!r}")
        if kind not in RANKED_KINDS:
            raise HTTPException(422, "rankings are of agencies or units")
        periods = parse_periods(period, from_, to, reader.clock.now())
        if len(periods) != 1:
            raise HTTPException(422, "rank over exactly one period")
        return await reader.rankings(kind, indicator, periods[0])

    @router.get("/scopes", summary="Scopes seen so far")
    async def scopes(reader: ReaderDep, kind: d.ScopeKind = d.ScopeKind.AGENCY) -> dict[str, Any]:
        """Scope keys of one kind, for pickers."""
        return {"kind": kind.value, "items": await reader.scopes(kind)}

    @router.get("/indicators/figures", summary="Names of the published figures")
    async def figures() -> dict[str, Any]:
        """Every figure name, and which ones rank lowest first."""
        return {"figures": list(d.FIGURES), "lower_is_better": sorted(d.LOWER_IS_BETTER)}

    @router.get("/open-dossiers", summary="Open dossiers, soonest due first")
    async def open_dossiers(
        reader: ReaderDep,
        scope: Annotated[str, Query(description="`province:all`, `agency:…`, `unit:…`")] = (
            "province:all"
        ),
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        """Dossier code, place, reception and statutory due time, and a state by the rule
        the overdue count and tracking's look-ups use (`motcua.verdicts`): `overdue`
        (finishing now would be late: by working day, the appointment day passed),
        `due_soon` (due today or tracking warned) or `within_deadline`; `alerts`:
        tracking's warnings that stand for this
        due time (withdrawn ones are gone). Paused dossiers (no due time) are not listed.
        No personal data."""
        try:
            return await reader.open_dossiers(parse_scopes([scope])[0], limit)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    @router.get("/trend", summary="The day's figures as they changed")
    async def trend(
        reader: ReaderDep,
        scope: str = "province:all",
        day: Annotated[date | None, Query(description="Local date; today by default.")] = None,
    ) -> dict[str, Any]:
        """Received, resolved and in-progress numbers of one day, sampled every 5 minutes
        from the change log (as the service learnt them)."""
        return await reader.trend(parse_scopes([scope])[0], day)

    return router
