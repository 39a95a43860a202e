"""HTTP routes: dossier look-ups for officials and citizens, calendar decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from pydantic import BaseModel

from motcua.http import ProblemError, problem_responses
from motcua_tracking.domain import (
    CalendarRangeError,
    DecisionError,
    decision_to_dict,
    parse_decision,
)
from motcua_tracking.entrypoints.auth import AdminDep, OfficialDep
from motcua_tracking.service import (
    DecisionInForce,
    DecisionLoaded,
    DecisionLoader,
    Lookups,
    TooManyAttempts,
)
from motcua_tracking.service.views import (
    AgencyOfficeView,
    CitizenView,
    DecisionView,
    DossierView,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1")


def _lookups(request: Request) -> Lookups:
    lookups: Lookups = request.app.state.lookups
    return lookups


def _decisions(request: Request) -> DecisionLoader:
    loader: DecisionLoader = request.app.state.decisions
    return loader


LookupsDep = Annotated[Lookups, Depends(_lookups)]
DecisionsDep = Annotated[DecisionLoader, Depends(_decisions)]
Code = Annotated[str, Path(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]


class DecisionLoadedView(BaseModel):
    """A year's decision loaded: its revision and what it moved."""

    year: int
    revision: int
    changed_days: int
    dossiers_recomputed: int
    deadlines_moved: int


@router.get("/dossiers/{code}", tags=["officials"], summary="A dossier's control slip and history")
async def get_dossier(code: Code, lookups: LookupsDep, _: OfficialDep) -> DossierView:
    view = await lookups.official(code)
    if view is None:
        raise ProblemError(404, "dossier_not_found", f"no dossier {code} is tracked")
    return view


@router.get(
    "/agencies/{code}",
    tags=["officials"],
    summary="An agency's name and the office hours its deadlines use",
)
async def get_agency(code: Code, lookups: LookupsDep, _: OfficialDep) -> AgencyOfficeView:
    """The name and office hours intake publishes (`source: published`), else the
    configured office hours (`source: settings`, name null)."""
    return await lookups.office(code)


@router.get(
    "/lookup/{code}",
    tags=["citizens"],
    summary="A citizen's look-up of their dossier",
    responses=problem_responses(429),
)
async def lookup(
    request: Request,
    code: Code,
    lookups: LookupsDep,
    phone_last4: Annotated[
        str, Query(pattern=r"^\d{4}$", description="Last 4 digits of the phone", examples=["5678"])
    ],
) -> CitizenView:
    client = request.client.host if request.client else "unknown"
    try:
        view = await lookups.citizen(code, phone_last4, client)
    except TooManyAttempts as limited:
        raise ProblemError(
            429,
            "too_many_attempts",
            f"too many wrong answers; try again in {limited.retry_after} s",
            headers={"Retry-After": str(limited.retry_after)},
        ) from None
    if view is None:
        raise ProblemError(404, "dossier_not_found", "no dossier matches this code and phone")
    return view


@router.get("/calendar/decisions", tags=["calendar"], summary="Yearly decisions in force")
async def list_decisions(decisions: DecisionsDep, _: OfficialDep) -> list[DecisionView]:
    return [_decision_view(item) for item in await decisions.in_force()]


_DECISION_EXAMPLE = {
    "year": 2026,
    "source": "Thông báo 6150/TB-BNV về lịch nghỉ Tết Dương lịch và Tết Nguyên Đán 2026",
    "days_off": [
        {"date": "2026-01-01", "reason": "Tết Dương lịch"},
        {"from": "2026-02-14", "to": "2026-02-22", "reason": "Tết Nguyên Đán"},
    ],
    "make_up_working_days": [],
    "notes": [],
}


@router.put(
    "/calendar/decisions/{year}",
    tags=["calendar"],
    summary="Load a year's decision and recompute the open deadlines it moves",
)
async def put_decision(
    year: Annotated[int, Path(ge=1990, le=2100)],
    decisions: DecisionsDep,
    _: AdminDep,
    document: Annotated[dict[str, Any], Body(examples=[_DECISION_EXAMPLE])],
) -> DecisionLoadedView:
    try:
        decision = parse_decision(document)
    except DecisionError as error:
        raise ProblemError(422, "invalid_decision", f"the decision is not valid: {error}") from None
    if decision.year != year:
        raise ProblemError(422, "year_mismatch", f"the decision is for {decision.year}, not {year}")
    try:
        loaded: DecisionLoaded = await decisions.load(decision)
    except CalendarRangeError as error:
        raise ProblemError(
            422, "year_out_of_range", f"the calendar does not cover this year: {error}"
        ) from None
    return DecisionLoadedView(
        year=loaded.year,
        revision=loaded.revision,
        changed_days=loaded.changed_days,
        dossiers_recomputed=loaded.dossiers_recomputed,
        deadlines_moved=loaded.deadlines_moved,
    )


def _decision_view(item: DecisionInForce) -> DecisionView:
    shape = decision_to_dict(item.decision)
    return DecisionView(
        year=item.decision.year,
        source=item.decision.source,
        origin=item.source,
        revision=item.revision,
        loaded_at=item.loaded_at,
        days_off=shape["days_off"],
        make_up_working_days=shape["make_up_working_days"],
        notes=shape["notes"],
    )
