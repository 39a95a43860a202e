"""The OpenAPI document states every error as `application/problem+json` with `Problem`.

Each operation gets the standard responses: 500 always; 422 when it takes parameters or
a body (400 too for a JSON body: malformed JSON); 404 when its path has parameters;
401 and 403 when it needs credentials. Routes declare the others they answer (409,
413, 429, …) in `responses` with a description; their content is set here.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from motcua.http.problems import PROBLEM_JSON, Problem

__all__ = ["document_problems", "problem_responses"]

_REF = "#/components/schemas/Problem"
_WHY = {
    "400": "Malformed JSON",
    "401": "No credentials, or unknown ones",
    "403": "Known credentials without the right to this",
    "404": "Not found",
    "409": "Conflicts with the stored state",
    "413": "Body too large",
    "422": "Refused input; `errors` points at every field at fault",
    "429": "Too many attempts; see Retry-After",
    "500": "Internal error (nothing of it is disclosed)",
    "502": "An upstream system refused",
    "503": "Unavailable for now; retry",
}
_FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses` for a route that answers these statuses too (as problems)."""
    return {
        status: {"description": _WHY.get(str(status), HTTPStatus(status).phrase)}
        for status in statuses
    }


def document_problems(app: FastAPI) -> None:
    """Make `app.openapi()` describe every error response as a problem."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _with_problems(schema: dict[str, Any]) -> dict[str, Any]:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            _standard(operation)
    text = str(schema["paths"])
    for name in _FASTAPI_SCHEMAS:
        if f"/{name}'" not in text:
            schemas.pop(name, None)
    return schema


def _standard(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    expected = {"500"}
    if parameters or body:
        expected.add("422")
    if "application/json" in body:
        expected.add("400")
    if any(p.get("in") == "path" for p in parameters):
        expected.add("404")
    if operation.get("security"):
        expected |= {"401", "403"}
    for status in expected:
        responses.setdefault(status, {"description": _WHY[status]})
    for status, response in responses.items():
        if status[:1] in ("4", "5"):
            if status == "422" or response.get("description") == "Validation Error":
                response["description"] = _WHY["422"]
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": _REF}}}
