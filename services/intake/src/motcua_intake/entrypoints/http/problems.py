"""Intake's own errors as problems (the common format of `motcua.http`): refused
commands by kind, and a database or writer that is unavailable as 503."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.responses import Response

from motcua.http import Violation, install_http_edge, pointer_of, problem_response
from motcua_intake.service.errors import Kind, Rejection, body_location
from motcua_intake.service.group_commit import WriterUnavailable

__all__ = ["STATUS_OF", "install_problem_handlers", "problem"]

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


def problem(rejection: Rejection) -> Response:
    """The response for a rejection."""
    status = STATUS_OF[rejection.kind]
    errors = [Violation(e.pointer, e.code, e.detail) for e in rejection.errors]
    return problem_response(
        status, rejection.code, rejection.detail, errors, extensions=rejection.extensions
    )


async def _on_rejection(request: Request, error: Exception) -> Response:
    assert isinstance(error, Rejection)
    return problem(error)


async def _on_unavailable(request: Request, error: Exception) -> Response:
    detail = f"{error}; retry the request"
    return problem_response(503, "unavailable", detail, headers={"Retry-After": "1"})


async def _on_database_error(request: Request, error: Exception) -> Response:
    if isinstance(error, DBAPIError | OSError) and (
        isinstance(error, OSError | OperationalError | InterfaceError)
        or error.connection_invalidated
        or isinstance(error.orig, OSError | ConnectionError)
        or getattr(error.orig, "sqlstate", None) in _UNAVAILABLE_STATES
    ):
        return await _on_unavailable(request, WriterUnavailable("the database is unavailable"))
    return problem_response(500, "internal_error", "the request could not be completed")


def _body_pointer(loc: Sequence[str | int]) -> str:
    return pointer_of(body_location(loc))


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of the API as a problem."""
    install_http_edge(
        app,
        {
            Rejection: _on_rejection,
            WriterUnavailable: _on_unavailable,
            DBAPIError: _on_database_error,
            OSError: _on_database_error,
        },
        locate_in_body=_body_pointer,
    )
