"""The HTTP edge every service shares: one error format (problem details), one way to
authenticate callers, input that is refused the same way, and self-served API docs."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from motcua.http.auth import (
    allowing,
    forbidden,
    one_of,
    role_of_token,
    token_caller,
    unauthenticated,
)
from motcua.http.docs import serve_docs
from motcua.http.guard import ControlCharacterGuard
from motcua.http.openapi import document_problems, problem_responses
from motcua.http.outbound import GatewayAnswer, GatewayClient, GatewayUnreachable
from motcua.http.params import FIRST_DAY, LAST_DAY, IsoDate
from motcua.http.problems import (
    PROBLEM_JSON,
    ExceptionHandler,
    FieldProblem,
    Locate,
    Problem,
    ProblemError,
    Violation,
    install_problem_handlers,
    pointer_of,
    problem_bytes,
    problem_response,
)
from motcua.http.text import Line, Paragraph
from motcua.http.times import ResponseModel, in_vietnam, vietnam_time

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "PROBLEM_JSON",
    "ControlCharacterGuard",
    "FieldProblem",
    "GatewayAnswer",
    "GatewayClient",
    "GatewayUnreachable",
    "IsoDate",
    "Line",
    "Locate",
    "Paragraph",
    "Problem",
    "ProblemError",
    "ResponseModel",
    "Violation",
    "allowing",
    "forbidden",
    "in_vietnam",
    "install_http_edge",
    "one_of",
    "pointer_of",
    "problem_bytes",
    "problem_response",
    "problem_responses",
    "role_of_token",
    "token_caller",
    "unauthenticated",
    "vietnam_time",
]


def install_http_edge(
    app: FastAPI,
    handlers: Mapping[type[Exception], ExceptionHandler] | None = None,
    locate_in_body: Locate | None = None,
) -> None:
    """Every error as a problem (with `handlers` for the service's own exceptions),
    documented so in OpenAPI; control characters refused in paths and queries; the
    docs pages served locally."""
    install_problem_handlers(app, handlers, locate_in_body)
    document_problems(app)
    serve_docs(app)
    app.add_middleware(ControlCharacterGuard)
