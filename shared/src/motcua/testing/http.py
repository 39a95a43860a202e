"""Test support for the HTTP edge: a client on an app that is not started, with a route
that crashes, and the check that a response is the project's problem document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from motcua.http import PROBLEM_JSON

__all__ = ["CRASH_PATH", "assert_problem", "edge_client"]

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
