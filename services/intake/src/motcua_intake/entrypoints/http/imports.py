"""Bulk NDJSON import route (streamed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

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
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": (
                    '{"kind": "event", "dossier_code": "SXD-260605-0001", "event": '
                    '{"type": "result_returned", "occurred_at": "2026-06-15T09:00:00+07:00"}}\n'
                    '{"kind": "apology", "dossier_code": "SXD-260605-0002", "apology": '
                    '{"unit_code": "SXD.QLXD", "reason": "Cần lấy ý kiến", '
                    '"new_appointment_at": "2026-06-19T16:00:00+07:00"}}\n'
                ),
            }
        },
        "description": (
            "One JSON object per line: "
            '`{"kind": "registration", "dossier": {…}, "events": [{…}]}`, '
            '`{"kind": "event", "dossier_code": "…", "event": {…}}` or '
            '`{"kind": "apology", "dossier_code": "…", "apology": {…}}`.'
        ),
    }
}


_NDJSON = "application/x-ndjson"
_STREAMED = {
    "description": (
        "With `Accept: application/x-ndjson`: the report streamed as the import proceeds, "
        "one JSON object a line: "
        '`{"line": 1, "status": "accepted", "dossier_code": "STP-190129-0001"}`, '
        '`{"line": 2, "status": "rejected", "dossier_code": null, "reason": '
        '{"code": "…", "detail": "…", "errors": [{"pointer", "code", "detail"}]}}`, '
        '`{"progress": {"lines", "accepted", "rejected"}}` every N lines, and last '
        '`{"summary": {…}}` (or `{"error": {"code", "detail"}}` if the import stopped).'
    ),
    "content": {_NDJSON: {"schema": {"type": "string"}}},
}


class _ReportResponse(StreamingResponse):
    """A streamed report sent while the import still reads the request body: unlike
    StreamingResponse, it does not also listen for a disconnect, which would take body
    messages from the import (a disconnect stops the import where it reads)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)


@router.post(
    "/imports",
    summary="Import dossiers and events from NDJSON",
    response_model=ImportReportView,
    responses={**problems(403, 409, 422), 200: _STREAMED},
    openapi_extra=_BODY,
)
async def import_ndjson(
    request: Request,
    caller: CallerDep,
    imports: ImportsDep,
    key: IdempotencyKeyDep = None,
    accept: Annotated[str, Header()] = "application/json",
) -> Response:
    """Lines are applied in order, in chunks; refused lines are reported, not fatal.

    Ask for `application/x-ndjson` to get each line's dossier code and outcome as the
    import proceeds; otherwise the answer is the summary once it is done.
    """
    if _NDJSON not in accept:
        return json_response(await imports.run(request.stream(), caller, key))
    report = await imports.stream(request.stream(), caller, key)
    headers = {"Idempotent-Replayed": "true"} if report.replayed else {}
    return _ReportResponse(report.lines, media_type=_NDJSON, headers=headers)
