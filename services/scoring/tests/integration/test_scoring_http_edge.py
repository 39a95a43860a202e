"""Scoring's HTTP edge: every error is a problem, dates and periods are held to 2000–2099,
and every route has a response model."""

from __future__ import annotations

import pytest

from motcua.testing.http import Call, assert_problem, check_edge, edge_client
from motcua_scoring.app import create_app
from motcua_scoring.settings import ApiSettings, ScoringSettings

TOKEN = "edge-official-token"


@pytest.fixture
async def client():
    settings = ScoringSettings(api=ApiSettings(official_token=TOKEN))
    async with edge_client(create_app(settings)) as client:
        yield client


async def test_error_shapes(client) -> None:
    await check_edge(
        client,
        wrong_method=Call("POST", "/v1/indicators/figures"),
        allow="GET",
        invalid=Call("GET", "/v1/open-dossiers?limit=0", {"Authorization": f"Bearer {TOKEN}"}),
        pointer="/query/limit",
    )


@pytest.mark.parametrize(
    ("query", "pointer", "code"),
    [
        ("/v1/trend?day=0", "/query/day", "date_format"),
        ("/v1/trend?day=1970-01-01", "/query/day", "date_out_of_range"),
        ("/v1/indicators?from=0&to=1", "/query/from", "date_format"),
        ("/v1/indicators?period=1970", "/query/period", "period_out_of_range"),
        ("/v1/indicators?period=2026-11-21..2026-11-01", "/query/period", "invalid_period"),
        ("/v1/rankings?period=0001-01-01", "/query/period", "period_out_of_range"),
        ("/v1/trend?scope=agency:S%00TP", "/query/scope", "control_character"),
    ],
)
async def test_dates_and_periods_out_of_range_are_refused(client, query, pointer, code) -> None:
    response = await client.get(query)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["pointer"] == pointer
    assert problem["errors"][0]["code"] == code


async def test_every_route_has_a_response_schema(client) -> None:
    document = (await client.get("/openapi.json")).json()
    for path in ("/v1/indicators", "/v1/rankings", "/v1/scopes", "/v1/open-dossiers", "/v1/trend"):
        ok = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"].get("$ref", "").startswith("#/components/schemas/"), path
        refused = document["paths"][path]["get"]["responses"]["422"]["content"]
        assert list(refused) == ["application/problem+json"]


async def test_the_dossier_lists_are_for_officials_only(client) -> None:
    for path in ("/v1/open-dossiers", "/v1/resolved-dossiers"):
        anonymous = await client.get(path)
        assert_problem(anonymous, 401, "not_authenticated")
        assert anonymous.headers["www-authenticate"] == "Bearer"
        wrong = await client.get(path, headers={"Authorization": "Bearer nope"})
        assert_problem(wrong, 401, "invalid_credentials")
    document = (await client.get("/openapi.json")).json()
    for path in ("/v1/open-dossiers", "/v1/resolved-dossiers"):
        assert "401" in document["paths"][path]["get"]["responses"], path
