"""Dossier routes: register, record events, file apologies, look up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path
from starlette.responses import Response

from motcua_intake.entrypoints.answers import dossier_code_of
from motcua_intake.entrypoints.http.deps import (
    CallerDep,
    DossiersDep,
    IdempotencyKeyDep,
    json_response,
)
from motcua_intake.entrypoints.http.responses import problems
from motcua_intake.entrypoints.http.schemas import DossierView, Receipt
from motcua_intake.service.commands import ApologyBody, EventBody, RegisterBody

__all__ = ["router"]

router = APIRouter(prefix="/v1/dossiers", tags=["dossiers"])
DossierCode = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


@router.post(
    "",
    status_code=201,
    summary="Register a dossier received at the counter or online",
    response_model=Receipt,
    responses=problems(400, 403, 409, 422),
)
async def register_dossier(
    body: RegisterBody, caller: CallerDep, dossiers: DossiersDep, key: IdempotencyKeyDep = None
) -> Response:
    """Issues the code `<agency>-YYMMDD-NNNN` unless the counter supplies its own."""
    result = await dossiers.register(body, caller, key)
    code = dossier_code_of(result)
    return json_response(result, None if code is None else f"/v1/dossiers/{code}")


@router.post(
    "/{code}/events",
    status_code=201,
    summary="Record a later event of a dossier",
    response_model=Receipt,
    responses=problems(400, 403, 404, 409, 422),
)
async def record_event(
    code: DossierCode,
    body: Annotated[EventBody, Body()],
    caller: CallerDep,
    dossiers: DossiersDep,
    key: IdempotencyKeyDep = None,
) -> Response:
    """Refused with 409 `transition_not_allowed` when the dossier's status forbids it."""
    return json_response(await dossiers.record_event(code, body, caller, key))


@router.post(
    "/{code}/apology",
    status_code=201,
    summary="File an apology and a new appointment (form 04)",
    response_model=Receipt,
    responses=problems(400, 403, 404, 409, 422),
)
async def file_apology(
    code: DossierCode,
    body: ApologyBody,
    caller: CallerDep,
    dossiers: DossiersDep,
    key: IdempotencyKeyDep = None,
) -> Response:
    """Tracking decides whether the apology is on time and re-appoints the dossier."""
    return json_response(await dossiers.file_apology(code, body, caller, key))


@router.get(
    "/{code}",
    summary="A dossier's status and events",
    response_model=DossierView,
    responses=problems(403, 404),
)
async def get_dossier(code: DossierCode, caller: CallerDep, dossiers: DossiersDep) -> Response:
    """Only the agency that received the dossier may read it."""
    return Response(await dossiers.dossier(code, caller), media_type="application/json")
