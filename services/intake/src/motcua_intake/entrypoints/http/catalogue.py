"""Catalogue routes: procedures (admin edits) and agencies with their keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from starlette.responses import Response

from motcua_intake.entrypoints.http.deps import (
    AdminDep,
    CallerDep,
    CatalogueDep,
    IdempotencyKeyDep,
    KeysDep,
    json_response,
)
from motcua_intake.entrypoints.http.responses import problems
from motcua_intake.entrypoints.http.schemas import AgencyView, IssuedKeyView
from motcua_intake.service.commands import IssueKeyBody, ProcedureBody
from motcua_intake.service.idempotency import claim_for

__all__ = ["router"]

router = APIRouter(prefix="/v1")
ProcedureCode = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


@router.get("/procedures", tags=["catalogue"], summary="The procedure catalogue")
async def list_procedures(caller: CallerDep, catalogue: CatalogueDep) -> list[dict[str, Any]]:
    return await catalogue.procedures()


@router.get(
    "/procedures/{code}", tags=["catalogue"], summary="One procedure", responses=problems(404)
)
async def get_procedure(
    code: ProcedureCode, caller: CallerDep, catalogue: CatalogueDep
) -> dict[str, Any]:
    return await catalogue.procedure(code)


@router.put(
    "/procedures/{code}",
    tags=["catalogue"],
    summary="Create or replace a procedure (admin); publishes ProcedureUpdated",
    responses={201: {"description": "Created"}, **problems(400, 403, 422)},
)
async def put_procedure(
    code: ProcedureCode, body: ProcedureBody, caller: AdminDep, catalogue: CatalogueDep
) -> JSONResponse:
    """The steps' allotted times must add up to the statutory time."""
    created, entry = await catalogue.put(code, body)
    return JSONResponse(entry, status_code=201 if created else 200)


@router.get("/agencies", tags=["agencies"], summary="Agencies and their units")
async def list_agencies(caller: CallerDep, catalogue: CatalogueDep) -> list[AgencyView]:
    return [AgencyView(**agency) for agency in catalogue.agencies()]


@router.post(
    "/agencies/{code}/keys",
    tags=["agencies"],
    status_code=201,
    summary="Issue an API key for an agency (admin); the key is shown once",
    response_model=IssuedKeyView,
    responses=problems(400, 403, 404, 422),
)
async def issue_key(
    code: ProcedureCode,
    body: IssueKeyBody,
    caller: AdminDep,
    keys: KeysDep,
    key: IdempotencyKeyDep = None,
) -> Response:
    claim = claim_for(caller.idempotency_scope, key, "issue_key", code, body)
    return json_response(await keys.issue(code, body.scopes, body.label, claim))
