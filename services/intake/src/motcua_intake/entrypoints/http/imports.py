"""Bulk NDJSON import route (streamed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from motcua_intake.entrypoints.http.deps import (
    CallerDep,
    IdempotencyKeyDep,
    ImportsDep,
    json_response,
)
from motcua_intake.entrypoints.http.responses import problems
from motcua_intake.entrypoints.http.schemas import ImportReportView

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["imports"])

_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        "description": (
            "One JSON object per line: "
            '`{"kind": "registration", "dossier": {…}, "events": [{…}]}`, '
            '`{"kind": "event", "dossier_code": "…", "event": {…}}` or '
            '`{"kind": "apology", "dossier_code": "…", "apology": {…}}`.'
        ),
    }
}


@router.post(
    "/imports",
    summary="Import dossiers and events from NDJSON",
    response_model=ImportReportView,
    responses=problems(403, 409, 422),
    openapi_extra=_BODY,
)
async def import_ndjson(
    request: Request, caller: CallerDep, imports: ImportsDep, key: IdempotencyKeyDep = None
) -> Response:
    """Lines are applied in order, in chunks; refused lines are reported, not fatal."""
    return json_response(await imports.run(request.stream(), caller, key))
