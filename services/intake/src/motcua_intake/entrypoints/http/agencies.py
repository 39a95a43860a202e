"""Agency administration: create or replace, merge, retire (admin); read one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from motcua_intake.entrypoints.http.deps import AdminDep, AgenciesDep, CallerDep
from motcua_intake.entrypoints.http.responses import problems
from motcua_intake.entrypoints.http.schemas import AgencyView, MergedView
from motcua_intake.service.agencies import AgencyBody, MergeBody, RetireBody

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["agencies"])
AgencyCode = Annotated[
    str, Path(min_length=1, max_length=32, pattern=r"^[A-Z0-9](?:[A-Z0-9.]*[A-Z0-9])?$")
]


@router.get(
    "/agencies/{code}",
    summary="One agency, retired or merged ones included",
    response_model=AgencyView,
    responses=problems(404),
)
async def get_agency(code: AgencyCode, caller: CallerDep, agencies: AgenciesDep) -> AgencyView:
    return AgencyView.model_validate(agencies.agency(code))


@router.put(
    "/agencies/{code}",
    summary="Create or replace an agency and its units (admin); publishes AgencyUpdated",
    response_model=AgencyView,
    responses={201: {"description": "Created"}, **problems(400, 403, 409, 422)},
)
async def put_agency(
    code: AgencyCode, body: AgencyBody, caller: AdminDep, agencies: AgenciesDep
) -> JSONResponse:
    """The whole state: a rename, new units, office hours, a cut-off or catalogue
    assignments are a PUT of the changed state. A retired agency takes no change (409)."""
    created, state = await agencies.put(code, body)
    return JSONResponse(state, status_code=201 if created else 200)


@router.post(
    "/agencies/{code}/merge",
    summary="Merge an agency into another from a date (admin)",
    response_model=MergedView,
    responses=problems(400, 403, 404, 409, 422),
)
async def merge_agency(
    code: AgencyCode, body: MergeBody, caller: AdminDep, agencies: AgenciesDep
) -> MergedView:
    """The absorbed agency takes no dossier received from the merge date (local
    midnight); its dossiers keep their codes and count under the absorbing agency from
    that date; its API keys and catalogue assignments pass to the absorbing agency."""
    return MergedView.model_validate(await agencies.merge(code, body))


@router.post(
    "/agencies/{code}/retire",
    summary="Retire an agency (admin): no new dossier from then, its history stays",
    response_model=AgencyView,
    responses=problems(400, 403, 404, 409, 422),
)
async def retire_agency(
    code: AgencyCode, body: RetireBody, caller: AdminDep, agencies: AgenciesDep
) -> AgencyView:
    return AgencyView.model_validate(await agencies.retire(code, body))
