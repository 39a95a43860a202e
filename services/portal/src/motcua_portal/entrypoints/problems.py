"""Errors as problem details (RFC 9457, `application/problem+json`) with a stable `code`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["Problem", "install_problem_handlers", "problem_response"]

MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """An error answered as a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers or {}


def problem_response(problem: Problem, instance: str) -> JSONResponse:
    """The HTTP response of a problem."""
    body = {
        "type": f"https://motcua.example/problems/{problem.code}",
        "title": problem.title,
        "status": problem.status,
        "code": problem.code,
        "instance": instance,
    }
    if problem.detail:
        body["detail"] = problem.detail
    return JSONResponse(
        body, status_code=problem.status, media_type=MEDIA_TYPE, headers=problem.headers
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of the app as a problem document."""

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        problem = Problem(422, "invalid_request", "The request is not valid", where)
        return problem_response(problem, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        problem = Problem(exc.status_code, code, str(exc.detail))
        return problem_response(problem, request.url.path)
