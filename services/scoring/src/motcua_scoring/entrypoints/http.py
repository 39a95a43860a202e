"""The JSON API: indicators, rankings, scopes, open dossiers and the day's trend."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from motcua.http import IsoDate, ProblemError, Violation, problem_responses
from motcua_scoring import domain as d
from motcua_scoring.domain.resolved import RESOLVED_CATEGORIES
from motcua_scoring.entrypoints.auth import OfficialDep
from motcua_scoring.entrypoints.deps import ReaderDep
from motcua_scoring.entrypoints.params import parse_periods, parse_scopes
from motcua_scoring.entrypoints.schemas import (
    FigureNames,
    IndicatorsView,
    OpenDossiersView,
    RankingsView,
    ResolvedDossiersView,
    ScopesView,
    TrendView,
)
from motcua_scoring.service.reading import RANKED_KINDS
from motcua_scoring.service.resolved import resolved_dossiers

__all__ = ["api_router"]

MAX_PAIRS = 1000

ScopeQuery = Annotated[
    list[str],
    Query(
        description="Scope keys, e.g. `province:all`, `agency:STP`, `unit:A`.",
        examples=[["province:all", "agency:STP"]],
    ),
]
KindQuery = Annotated[
    d.ScopeKind | None, Query(description="Every known scope of this kind, besides `scope`.")
]
PeriodQuery = Annotated[
    list[str],
    Query(
        description="Period keys (`2026-11-21`, `2026-11`, `2026-Q4`, `2026`, "
        "`2026-11-01..2026-11-21`) or `today`, `month`, `quarter`, `year`.",
        examples=[["2026-11"]],
    ),
]
FromQuery = Annotated[
    IsoDate | None,
    Query(alias="from", description="First day of a range (YYYY-MM-DD).", examples=["2026-11-01"]),
]
ToQuery = Annotated[
    IsoDate | None,
    Query(description="Last day of a range (included).", examples=["2026-11-21"]),
]


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
    ) -> IndicatorsView:
        """Counts, rates and Decision 766 points of each scope in each period.

        `last_event_id` is the change-log position the numbers reflect: pass it as
        `Last-Event-ID` to the stream to receive every later change.
        """
        scopes = parse_scopes(scope) if scope or kind is None else []
        if kind is not None:
            scopes += [d.parse_scope(key) for key in await reader.scopes(kind)]
        periods = parse_periods(period, from_, to, reader.clock.now())
        if len(scopes) * len(periods) > MAX_PAIRS:
            raise _refused("scope", "too_many_pairs", f"at most {MAX_PAIRS} scope × period pairs")
        return IndicatorsView.model_validate(await reader.indicators(scopes, periods))

    @router.get("/rankings", summary="Agencies or units ranked by one indicator")
    async def rankings(
        reader: ReaderDep,
        indicator: Annotated[
            str,
            Query(description="Any figure name of `/v1/indicators`.", examples=["on_time_rate"]),
        ] = ("on_time_rate"),
        kind: Annotated[d.ScopeKind, Query(description="`agency` or `unit`.")] = (
            d.ScopeKind.AGENCY
        ),
        period: PeriodQuery = [],  # noqa: B006
        from_: FromQuery = None,
        to: ToQuery = None,
    ) -> RankingsView:
        """Competition ranking (1, 2, 2, 4) within the province; lateness-type figures
        rank lowest first; equal values are ordered by volume (dossiers resolved, more
        first) and share a rank (`tied`) only when the volume is equal too; scopes with
        no value come last, unranked."""
        if indicator not in d.FIGURES:
            raise _refused("indicator", "unknown_indicator", "not a figure of /v1/indicators")
        if kind not in RANKED_KINDS:
            raise _refused("kind", "invalid_kind", "rankings are of agencies or units")
        periods = parse_periods(period, from_, to, reader.clock.now())
        if len(periods) != 1:
            raise _refused("period", "one_period_required", "rank over exactly one period")
        return RankingsView.model_validate(await reader.rankings(kind, indicator, periods[0]))

    @router.get("/scopes", summary="Scopes seen so far")
    async def scopes(reader: ReaderDep, kind: d.ScopeKind = d.ScopeKind.AGENCY) -> ScopesView:
        """Scope keys of one kind, for pickers, with the names intake published for
        agencies and units (`intake.agencies.v1`); codes where none is known."""
        items, names = await reader.named_scopes(kind)
        return ScopesView(kind=kind.value, items=items, names=names)

    @router.get("/indicators/figures", summary="Names of the published figures")
    async def figures() -> FigureNames:
        """Every figure name, and which ones rank lowest first."""
        return FigureNames(figures=list(d.FIGURES), lower_is_better=sorted(d.LOWER_IS_BETTER))

    @router.get(
        "/open-dossiers",
        summary="Open dossiers, soonest due first (officials)",
        responses=problem_responses(401),
    )
    async def open_dossiers(
        reader: ReaderDep,
        _: OfficialDep,
        scope: Annotated[
            str, Query(description="`province:all`, `agency:…`, `unit:…`", examples=["agency:STP"])
        ] = ("province:all"),
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> OpenDossiersView:
        """Dossier code, place, reception and statutory due time, and a state by the rule
        the overdue count and tracking's look-ups use (`motcua.verdicts`): `overdue`
        (finishing now would be late: by working day, the appointment day passed),
        `due_soon` (due today or tracking warned) or `within_deadline`; `alerts`:
        tracking's warnings that stand for this
        due time (withdrawn ones are gone). Paused dossiers (no due time) are not listed.
        No personal data."""
        try:
            found = await reader.open_dossiers(parse_scopes([scope])[0], limit)
        except ValueError as exc:
            raise _refused("scope", "invalid_scope", str(exc)) from None
        return OpenDossiersView.model_validate(found)

    @router.get(
        "/resolved-dossiers",
        summary="Dossiers resolved in a period, by category (officials)",
        responses=problem_responses(401),
    )
    async def resolved(
        reader: ReaderDep,
        _: OfficialDep,
        scope: Annotated[
            str,
            Query(
                description="`province:all`, `agency:…`, `unit:…`, `procedure:…`, `field:…`",
                examples=["agency:STP"],
            ),
        ] = "province:all",
        period: PeriodQuery = [],  # noqa: B006
        from_: FromQuery = None,
        to: ToQuery = None,
        category: Annotated[
            str | None,
            Query(
                description="One of " + ", ".join(f"`{c}`" for c in RESOLVED_CATEGORIES) + "; "
                "every resolved dossier when absent.",
                examples=[str(RESOLVED_CATEGORIES[0])],
            ),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> ResolvedDossiersView:
        """The dossiers behind the resolution figures: resolved early, on time or late,
        late with and without an apology (form 04), re-appointments kept and broken, by
        the same definitions as `/v1/indicators` and the progress report (handling
        ended in the period and tracking's verdict known), so `counts` equals those
        figures for the same scope and period. Latest resolved first. No personal data."""
        if category is not None and category not in RESOLVED_CATEGORIES:
            raise _refused("category", "unknown_category", "not a category of resolved dossiers")
        periods = parse_periods(period, from_, to, reader.clock.now())
        if len(periods) != 1:
            raise _refused("period", "one_period_required", "list exactly one period")
        try:
            found = await resolved_dossiers(
                reader, parse_scopes([scope])[0], periods[0], category, limit
            )
        except ValueError as exc:
            raise _refused("scope", "invalid_scope", str(exc)) from None
        return ResolvedDossiersView.model_validate(found)

    @router.get("/trend", summary="The day's figures as they changed")
    async def trend(
        reader: ReaderDep,
        scope: Annotated[str, Query(examples=["agency:STP"])] = "province:all",
        day: Annotated[
            IsoDate | None,
            Query(
                description="Local date (YYYY-MM-DD); today by default.", examples=["2026-11-21"]
            ),
        ] = None,
    ) -> TrendView:
        """Received, resolved and in-progress numbers of one day, sampled every 5 minutes
        from the change log (as the service learnt them)."""
        return TrendView.model_validate(await reader.trend(parse_scopes([scope])[0], day))

    return router


def _refused(parameter: str, code: str, detail: str) -> ProblemError:
    return ProblemError(422, code, detail, [Violation(f"/query/{parameter}", code, detail)])
