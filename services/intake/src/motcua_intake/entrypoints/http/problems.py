"""Errors as problem details (RFC 9457): type, title, status, detail, code, errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from motcua_intake.service.errors import FieldError, Kind, Rejection, shape_rejection
from motcua_intake.service.group_commit import WriterUnavailable

__all__ = ["STATUS_OF", "install_problem_handlers", "problem", "problem_body"]

MEDIA_TYPE = "application/problem+json"
# Not accepting connections, shutting down, starting up: the database is coming back.
_UNAVAILABLE_STATES = {"55000", "57P01", "57P02", "57P03"}
STATUS_OF: Mapping[Kind, int] = {
    "invalid": 422,
    "malformed": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
}


def problem_body(
    status: int,
    code: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    extensions: Mapping[str, Any] | None = None,
) -> bytes:
    """The JSON of a problem."""
    document: dict[str, Any] = {
        "type": f"urn:motcua:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [{"pointer": e.pointer, "code": e.code, "detail": e.detail} for e in errors],
    }
    document.update(extensions or {})
    return orjson.dumps(document)


def problem(rejection: Rejection) -> Response:
    """The response for a rejection."""
    status = STATUS_OF[rejection.kind]
    headers = {"WWW-Authenticate": 'Bearer, ApiKey header="X-API-Key"'} if status == 401 else None
    body = problem_body(
        status, rejection.code, rejection.detail, rejection.errors, rejection.extensions
    )
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _on_rejection(request: Request, error: Exception) -> Response:
    assert isinstance(error, Rejection)
    return problem(error)


async def _on_invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    body_errors = [e for e in error.errors() if e["loc"][:1] == ("body",)]
    other = [e for e in error.errors() if e["loc"][:1] != ("body",)]
    rejection = shape_rejection([{**e, "loc": e["loc"][1:]} for e in body_errors])
    fields = list(rejection.errors) + [
        FieldError(f"/{e['loc'][0]}/{e['loc'][-1]}", str(e["type"]), str(e["msg"])) for e in other
    ]
    return problem(Rejection(rejection.kind, rejection.code, rejection.detail, fields))


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
        error.status_code, "http_error"
    )
    body = problem_body(error.status_code, code, str(error.detail))
    return Response(body, status_code=error.status_code, media_type=MEDIA_TYPE)


async def _on_unavailable(request: Request, error: Exception) -> Response:
    body = problem_body(503, "unavailable", f"{error}; retry the request")
    return Response(body, status_code=503, media_type=MEDIA_TYPE, headers={"Retry-After": "1"})


async def _on_database_error(request: Request, error: Exception) -> Response:
    if isinstance(error, DBAPIError | OSError) and (
        isinstance(error, OSError | OperationalError | InterfaceError)
        or error.connection_invalidated
        or isinstance(error.orig, OSError | ConnectionError)
        or getattr(error.orig, "sqlstate", None) in _UNAVAILABLE_STATES
    ):
        return await _on_unavailable(request, WriterUnavailable("the database is unavailable"))
    return await _on_crash(request, error)


async def _on_crash(request: Request, error: Exception) -> Response:
    body = problem_body(500, "internal_error", "the request could not be completed")
    return Response(body, status_code=500, media_type=MEDIA_TYPE)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of the API as a problem."""
    app.add_exception_handler(Rejection, _on_rejection)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(WriterUnavailable, _on_unavailable)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(OSError, _on_database_error)
    app.add_exception_handler(Exception, _on_crash)
