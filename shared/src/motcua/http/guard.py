"""Refuses control characters in a request's path (404) or query (422) before routing.

No resource is named with a NUL or a line break, and such a value must never reach a
database (PostgreSQL cannot store a NUL) or a log line.
"""

from __future__ import annotations

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from motcua.http.problems import Violation, pointer_of, problem_response
from motcua.http.text import control_character_at

__all__ = ["ControlCharacterGuard"]

_REFUSED = "control characters are not allowed"


class ControlCharacterGuard:
    """ASGI middleware: a path with a control character is not found, a query
    parameter with one is refused with a pointer to it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if control_character_at(scope["path"]) is not None:
            response = problem_response(404, "not_found", "nothing is found at this path")
            await response(scope, receive, send)
            return
        fields = _query_faults(scope.get("query_string", b""))
        if fields:
            detail = fields[0].detail if len(fields) == 1 else f"{len(fields)} fields are invalid"
            response = problem_response(422, "invalid_request", detail, fields)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _query_faults(query_string: bytes) -> list[Violation]:
    faults = []
    for name, value in QueryParams(query_string).multi_items():
        if control_character_at(name) is not None:
            faults.append(Violation("/query", "control_character", _REFUSED))
        elif control_character_at(value) is not None:
            faults.append(Violation(pointer_of(("query", name)), "control_character", _REFUSED))
    return faults
