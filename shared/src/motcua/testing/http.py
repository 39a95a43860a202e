"""Test support for the HTTP edge: a client on an app that is not started, with a route
that crashes, the check that a response is the project's problem document, and
`check_edge`, which each service's edge test gives only its routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from motcua.http import PROBLEM_JSON

__all__ = ["CRASH_PATH", "Call", "assert_problem", "check_edge", "edge_client"]

CRASH_PATH = "/test/crash"


async def _crash() -> None:
    raise RuntimeError("a secret detail of the crash")


@asynccontextmanager
async def edge_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client on `app` (its lifespan not run), which also has `CRASH_PATH`."""
    app.add_api_route(CRASH_PATH, _crash, methods=["GET"], include_in_schema=False)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        yield client


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The problem document of `response`, checked to have the project's shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:motcua:problem:{code}", body
    assert (body["status"], body["code"]) == (status, code)
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], list)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    if status == 500:
        assert "secret" not in response.text and "RuntimeError" not in response.text
    return body


@dataclass(frozen=True)
class Call:
    """One request: `Call("PUT", "/v1/x/1", ADMIN, json={})`."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None

    async def send(self, client: httpx.AsyncClient, **headers: str) -> httpx.Response:
        """The response to this request (`headers` replacing its own when given)."""
        return await client.request(
            self.method, self.path, headers=dict(headers or self.headers), json=self.json
        )


async def check_edge(
    client: httpx.AsyncClient,
    *,
    protected: Call | None = None,
    guess: Mapping[str, str] | None = None,
    challenge: str = "Bearer",
    forbidden: Sequence[Call] = (),
    forbidden_code: str = "forbidden",
    wrong_method: Call,
    allow: str,
    invalid: Call,
    pointer: str,
) -> dict[str, httpx.Response]:
    """Check the problems every app answers at its edge, on an `edge_client`:

    - 401 `not_authenticated` for `protected` without credentials (the challenge names
      `challenge`), 401 `invalid_credentials` with the `guess` credentials (a wrong bearer
      token unless given);
    - 403 `forbidden_code` for each of `forbidden` (credentials without the right);
    - 404 `not_found` for a path no route takes;
    - 405 `method_not_allowed` for `wrong_method`, which `Allow`s `allow`;
    - 422 `invalid_request` for `invalid`, its first error at `pointer`;
    - 500 `internal_error` for a crash, telling nothing of it.

    Returns the responses by problem code, for what else a service checks of them."""
    answers: dict[str, httpx.Response] = {}
    if protected is not None:
        missing = await client.request(protected.method, protected.path, json=protected.json)
        assert_problem(missing, 401, "not_authenticated")
        assert challenge in missing.headers["www-authenticate"]
        wrong = await protected.send(client, **(guess or {"Authorization": "Bearer x"}))
        assert_problem(wrong, 401, "invalid_credentials")
        answers |= {"not_authenticated": missing, "invalid_credentials": wrong}
    for call in forbidden:
        answers[forbidden_code] = await call.send(client)
        assert_problem(answers[forbidden_code], 403, forbidden_code)
    answers["not_found"] = await client.get("/v1/nowhere")
    assert_problem(answers["not_found"], 404, "not_found")
    answers["method_not_allowed"] = await wrong_method.send(client)
    assert_problem(answers["method_not_allowed"], 405, "method_not_allowed")
    assert answers["method_not_allowed"].headers["allow"] == allow
    answers["invalid_request"] = await invalid.send(client)
    problem = assert_problem(answers["invalid_request"], 422, "invalid_request")
    assert problem["errors"][0]["pointer"] == pointer, problem
    answers["internal_error"] = await client.get(CRASH_PATH)
    assert_problem(answers["internal_error"], 500, "internal_error")
    return answers
