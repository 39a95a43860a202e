"""The common HTTP edge on a small app: problem shapes, credentials, refused input, docs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, SecretStr

from motcua.http import (
    IsoDate,
    Line,
    Paragraph,
    ProblemError,
    allowing,
    install_http_edge,
    one_of,
    problem_responses,
    role_of_token,
    token_caller,
)

PROBLEM = "application/problem+json"
TOKENS = {"admin": SecretStr("admin-token"), "reader": SecretStr("reader-token")}
caller = token_caller(role_of_token(lambda request: TOKENS))
CallerDep = Annotated[str, Depends(caller)]
AdminDep = Annotated[str, Depends(allowing(caller, one_of({"admin"}), "only administrators"))]


class Note(BaseModel):
    name: Line
    text: Paragraph


def small_app() -> FastAPI:
    app = FastAPI(title="edge")
    install_http_edge(app)

    @app.get("/items/{code}", responses=problem_responses(429))
    async def item(code: str, role: CallerDep) -> dict[str, str]:
        if code == "busy":
            raise ProblemError(429, "too_many_attempts", "later", headers={"Retry-After": "60"})
        return {"code": code, "role": role}

    @app.put("/items/{code}")
    async def put_item(code: str, note: Note, _: AdminDep) -> Note:
        return note

    @app.get("/days")
    async def days(day: Annotated[IsoDate, Query()]) -> dict[str, date]:
        return {"day": day}

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("secret detail of a crash")

    return app


@pytest.fixture
async def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(small_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:motcua:problem:{code}"
    assert (body["status"], body["code"]) == (status, code)
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], list)
    return body


async def test_no_or_unknown_credentials_are_401_with_a_challenge(client) -> None:
    missing = await client.get("/items/a")
    assert_problem(missing, 401, "not_authenticated")
    assert missing.headers["www-authenticate"] == "Bearer"
    unknown = await client.get("/items/a", headers=bearer("guess"))
    assert_problem(unknown, 401, "invalid_credentials")


async def test_known_credentials_without_the_right_are_403(client) -> None:
    note = {"name": "a", "text": "b"}
    response = await client.put("/items/a", json=note, headers=bearer("reader-token"))
    assert_problem(response, 403, "forbidden")
    allowed = await client.put("/items/a", json=note, headers=bearer("admin-token"))
    assert allowed.status_code == 200


async def test_unknown_path_is_404_and_wrong_method_405_with_allow(client) -> None:
    assert_problem(await client.get("/nowhere"), 404, "not_found")
    response = await client.delete("/items/a")
    assert_problem(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PUT"}


async def test_a_route_s_own_problem_keeps_its_headers(client) -> None:
    response = await client.get("/items/busy", headers=bearer("reader-token"))
    assert_problem(response, 429, "too_many_attempts")
    assert response.headers["retry-after"] == "60"


async def test_validation_points_at_every_field_at_fault(client) -> None:
    body = {"name": "An\x00", "text": "two\nlines\x07"}
    response = await client.put("/items/a", json=body, headers=bearer("admin-token"))
    problem = assert_problem(response, 422, "invalid_request")
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [
        ("/name", "control_character"),
        ("/text", "control_character"),
    ]
    assert "\x00" not in response.text


async def test_multi_line_text_keeps_tabs_and_line_breaks(client) -> None:
    body = {"name": "An", "text": "two\nlines\tand\r\nmore"}
    response = await client.put("/items/a", json=body, headers=bearer("admin-token"))
    assert response.status_code == 200
    line = await client.put(
        "/items/a", json={"name": "A\tB", "text": "x"}, headers=bearer("admin-token")
    )
    assert_problem(line, 422, "invalid_request")


async def test_malformed_json_is_400(client) -> None:
    response = await client.put(
        "/items/a",
        content=b"{",
        headers={**bearer("admin-token"), "content-type": "application/json"},
    )
    assert_problem(response, 400, "malformed_json")


@pytest.mark.parametrize(
    ("path", "status"),
    [("/items/ab%00c", 404), ("/items/a%0Ab", 404), ("/days?day=2026-01-01%00", 422)],
)
async def test_control_characters_in_path_or_query_are_refused(client, path, status) -> None:
    response = await client.get(path, headers=bearer("reader-token"))
    problem = assert_problem(response, status, "not_found" if status == 404 else "invalid_request")
    if status == 422:
        assert problem["errors"][0] == {
            "pointer": "/query/day",
            "code": "control_character",
            "detail": "control characters are not allowed",
        }


@pytest.mark.parametrize(
    ("day", "code"),
    [
        ("0", "date_format"),
        ("1970-01-01", "date_out_of_range"),
        ("2026-02-30", "date_from_datetime_parsing"),
    ],
)
async def test_dates_are_written_out_and_in_range(client, day, code) -> None:
    problem = assert_problem(await client.get("/days", params={"day": day}), 422, "invalid_request")
    assert problem["errors"][0]["pointer"] == "/query/day"
    assert problem["errors"][0]["code"].startswith(code.split("_from")[0])
    assert (await client.get("/days", params={"day": "2026-11-20"})).json() == {"day": "2026-11-20"}


async def test_a_crash_is_a_500_problem_that_discloses_nothing(client) -> None:
    response = await client.get("/crash")
    assert_problem(response, 500, "internal_error")
    assert "secret" not in response.text and "RuntimeError" not in response.text


async def test_openapi_states_errors_as_problems(client) -> None:
    document = (await client.get("/openapi.json")).json()
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    item = document["paths"]["/items/{code}"]["get"]["responses"]
    assert {"401", "403", "404", "422", "429", "500"} <= set(item)
    for operation in (op for path in document["paths"].values() for op in path.values()):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                assert list(response["content"]) == [PROBLEM], status
                schema = response["content"][PROBLEM]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}


async def test_docs_pages_load_their_assets_from_the_service(client) -> None:
    for page in ("/docs", "/redoc"):
        html = (await client.get(page)).text
        assert "cdn" not in html.lower() and "/docs/assets/" in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = await client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200 and len(response.content) > 10_000
