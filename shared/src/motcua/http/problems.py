"""One error format for every service: problem details (RFC 9457) as `application/problem+json`.

A problem has `type` (`urn:motcua:problem:<code>`), `title` (the HTTP status phrase),
`status`, `detail`, a stable `code` and `errors`: one `{pointer, code, detail}` per
field at fault, the pointer a JSON pointer into the body (`/applicant/name`) or into
the request's parameters (`/query/day`, `/path/code`, `/header/Idempotency-Key`).
Offending values are never echoed: they may be someone's name or address.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

__all__ = [
    "PROBLEM_JSON",
    "ExceptionHandler",
    "FieldProblem",
    "Locate",
    "Problem",
    "ProblemError",
    "Violation",
    "install_problem_handlers",
    "pointer_of",
    "problem_bytes",
    "problem_response",
]

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:motcua:problem:"
ExceptionHandler = Callable[[Request, Exception], Any]
Locate = Callable[[Sequence[str | int]], str]

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "unavailable",
}
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_DETAILS = {
    404: "nothing is found at this path",
    405: "this path does not take this method; the Allow header lists those it takes",
}


class FieldProblem(BaseModel):
    """One field at fault."""

    pointer: str = Field(description="JSON pointer: into the body, or /query/…, /path/…")
    code: str = Field(description="Stable machine-readable reason.")
    detail: str


class Problem(BaseModel):
    """An error (RFC 9457 problem details); services may add extension members."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`urn:motcua:problem:<code>`")
    title: str = Field(description="The HTTP status phrase.")
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable reason; part of the API.")
    errors: list[FieldProblem] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Violation:
    """A field at fault, before it is written out."""

    pointer: str
    code: str
    detail: str


class ProblemError(Exception):
    """Raise from a route or dependency to answer with a problem."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        errors: Sequence[Violation] = (),
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        self.extensions = extensions


def problem_bytes(
    status: int,
    code: str,
    detail: str,
    errors: Sequence[Violation] = (),
    extensions: Mapping[str, Any] | None = None,
) -> bytes:
    """The JSON of a problem."""
    document: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [{"pointer": e.pointer, "code": e.code, "detail": e.detail} for e in errors],
    }
    document.update(extensions or {})
    return orjson.dumps(document)


def problem_response(
    status: int,
    code: str,
    detail: str,
    errors: Sequence[Violation] = (),
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> Response:
    """The HTTP response of a problem."""
    body = problem_bytes(status, code, detail, errors, extensions)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def pointer_of(parts: Sequence[str | int]) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts) or "/"


def _violations(error: RequestValidationError, locate: Locate) -> list[Violation]:
    found = []
    for item in error.errors():
        loc = tuple(item["loc"])
        pointer = locate(loc[1:]) if loc[:1] == ("body",) else pointer_of(loc)
        found.append(Violation(pointer, str(item["type"]), str(item["msg"])))
    return found


def install_problem_handlers(
    app: FastAPI,
    handlers: Mapping[type[Exception], ExceptionHandler] | None = None,
    locate_in_body: Locate | None = None,
) -> None:
    """Answer every error of `app` as a problem.

    `handlers` adds a service's own exceptions; `locate_in_body` turns a location in
    the body into a pointer (a service may drop the tags pydantic adds for unions).
    """

    async def on_problem(request: Request, error: Exception) -> Response:
        assert isinstance(error, ProblemError)
        return problem_response(
            error.status, error.code, error.detail, error.errors, error.headers, error.extensions
        )

    async def on_invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        fields = _violations(error, locate_in_body or pointer_of)
        if any(f.code == "json_invalid" for f in fields):
            return problem_response(400, "malformed_json", "the body is not valid JSON", fields)
        detail = fields[0].detail if len(fields) == 1 else f"{len(fields)} fields are invalid"
        return problem_response(422, "invalid_request", detail, fields)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        status = error.status_code
        phrase = HTTPStatus(status).phrase
        detail = error.detail if error.detail and error.detail != phrase else None
        code = _CODES.get(status, f"http_{status}")
        text = str(detail) if detail else _DETAILS.get(status, phrase.lower())
        headers = dict(error.headers or {})
        if status == 405:
            headers["Allow"] = ", ".join(_allowed(request))
        return problem_response(status, code, text, headers=headers)

    async def on_crash(request: Request, error: Exception) -> Response:
        return problem_response(500, "internal_error", "the request could not be completed")

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http_error)
    for kind, handler in (handlers or {}).items():
        app.add_exception_handler(kind, handler)
    app.add_exception_handler(Exception, on_crash)


def _allowed(request: Request) -> list[str]:
    """The methods some route takes at this path (Starlette names only the first's)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]
