"""The HTTP API: a dossier's sync state, repair, dead letters, procedure and unit mappings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from motcua.http import Line, ProblemError, in_vietnam, problem_responses
from motcua_portal.entrypoints.auth import AdminDep, OfficialDep
from motcua_portal.service import Operations, UnknownDossier, UnknownProcedure

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["portal sync"])
Code = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


def _operations(request: Request) -> Operations:
    operations: Operations = request.app.state.operations
    return operations


OperationsDep = Annotated[Operations, Depends(_operations)]


class RepairRequest(BaseModel):
    """Send again every dossier received in [received_from, received_to)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "received_from": "2026-06-01T00:00:00+07:00",
                    "received_to": "2026-06-08T00:00:00+07:00",
                }
            ]
        }
    )

    received_from: AwareDatetime
    received_to: AwareDatetime


class ProcedureMapping(BaseModel):
    """The national procedure a local one is (confirmed by an administrator)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "national_code": "1.009972",
                    "national_name": "Cấp giấy phép xây dựng mới",
                    "field_code": "G09-XD",
                    "field_name": "Xây dựng",
                }
            ]
        }
    )

    national_code: Line = Field(min_length=1, max_length=64)
    national_name: Line | None = Field(default=None, max_length=500)
    field_code: Line = Field(default="", max_length=64)
    field_name: Line = Field(default="", max_length=500)


class UnitMapping(BaseModel):
    """The portal's unit code (madonvi) of an agency."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"unit_code": "000.00.15.H17"}]})

    unit_code: Line = Field(min_length=1, max_length=64)


class SyncSummary(BaseModel):
    """Dossiers received (in the range asked) and how many the portal has up to date."""

    dossiers: int
    in_sync: int = Field(description="The portal acknowledged the dossier's latest state.")
    on_portal: int = Field(description="The portal has the dossier, in some state.")
    queue: dict[str, int] = Field(description="Dossiers waiting: pending, held, dead.")


@router.get("/sync", summary="How many dossiers the portal has up to date")
async def sync_summary(
    operations: OperationsDep,
    _: OfficialDep,
    received_from: Annotated[
        AwareDatetime | None, Query(examples=["2026-06-01T00:00:00+07:00"])
    ] = None,
    received_to: Annotated[
        AwareDatetime | None, Query(examples=["2026-06-08T00:00:00+07:00"])
    ] = None,
) -> SyncSummary:
    return SyncSummary(**await operations.summary(received_from, received_to))


@router.get("/sync/dead-letters", summary="Dossiers given up on, with the portal's reply")
async def dead_letters(operations: OperationsDep, _: OfficialDep) -> list[dict[str, Any]]:
    return in_vietnam(await operations.dead_letters())  # type: ignore[no-any-return]


@router.post("/sync/dead-letters/redrive", summary="Redrive every dead dossier")
async def redrive_all(operations: OperationsDep, _: AdminDep) -> dict[str, int]:
    return {"redriven": await operations.redrive(None)}


@router.post("/sync/dead-letters/{code}/redrive", summary="Redrive one dead dossier")
async def redrive_one(code: Code, operations: OperationsDep, _: AdminDep) -> dict[str, int]:
    redriven = await operations.redrive(code)
    if not redriven:
        raise ProblemError(404, "not_dead_lettered", "this dossier is not in the dead-letter queue")
    return {"redriven": redriven}


@router.post("/sync/repair", summary="Send again every dossier received in a date range")
async def repair_range(
    body: RepairRequest, operations: OperationsDep, _: AdminDep
) -> dict[str, int]:
    if body.received_to <= body.received_from:
        raise ProblemError(422, "empty_range", "received_to must be after received_from")
    return {"queued": await operations.resync_received(body.received_from, body.received_to)}


@router.get("/sync/{code}", summary="What the portal has for a dossier and when it got it")
async def sync_state(code: Code, operations: OperationsDep, _: OfficialDep) -> dict[str, Any]:
    try:
        state = await operations.sync_state(code)
    except UnknownDossier:
        raise ProblemError(
            404, "dossier_not_found", "no event of this dossier has arrived"
        ) from None
    return in_vietnam(state)  # type: ignore[no-any-return]


@router.post("/sync/{code}/repair", summary="Send a dossier again: its record and every step")
async def repair_one(code: Code, operations: OperationsDep, _: AdminDep) -> dict[str, int]:
    queued = await operations.resync([code])
    if not queued:
        raise ProblemError(404, "dossier_not_found", "no event of this dossier has arrived")
    return {"queued": queued}


@router.get("/mappings/procedures", summary="Local procedures and their national codes")
async def procedures(operations: OperationsDep, _: OfficialDep) -> list[dict[str, Any]]:
    return await operations.procedures()


@router.get(
    "/mappings/procedures/{local_code}/suggestions",
    summary="National procedures with a similar name, for an administrator to confirm",
)
async def suggestions(
    local_code: Code, operations: OperationsDep, _: OfficialDep
) -> list[dict[str, Any]]:
    try:
        found = await operations.suggestions(local_code)
    except UnknownProcedure:
        raise ProblemError(404, "procedure_not_found", "no such local procedure") from None
    return [{"code": s.code, "name": s.name, "score": s.score} for s in found]


@router.put(
    "/mappings/procedures/{local_code}", summary="Confirm a local procedure's national code"
)
async def map_procedure(
    local_code: Code, body: ProcedureMapping, operations: OperationsDep, _: AdminDep
) -> dict[str, Any]:
    return await operations.map_procedure(
        local_code, body.national_code, body.national_name, body.field_code, body.field_name
    )


@router.post(
    "/catalogue/refresh",
    summary="Fetch the national catalogue (LayDanhSachTTHC)",
    responses=problem_responses(502),
)
async def refresh_catalogue(operations: OperationsDep, _: AdminDep) -> dict[str, Any]:
    count, reply = await operations.refresh_catalogue()
    if not reply.ok:
        raise ProblemError(
            502, "portal_refused", f"the portal did not give its catalogue ({reply.code})"
        )
    return {"procedures": count}


@router.get("/mappings/units", summary="Agencies' portal unit codes (madonvi)")
async def units(operations: OperationsDep, _: OfficialDep) -> dict[str, str]:
    return await operations.units()


@router.put("/mappings/units/{agency_code}", summary="Set an agency's portal unit code")
async def map_unit(
    agency_code: Code, body: UnitMapping, operations: OperationsDep, _: AdminDep
) -> dict[str, str]:
    await operations.map_unit(agency_code, body.unit_code)
    return {"agency_code": agency_code, "unit_code": body.unit_code}
