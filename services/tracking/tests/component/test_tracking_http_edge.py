"""Tracking's HTTP edge: every error is a problem; 401 and 403 mean what they mean everywhere."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from motcua.testing.http import Call, assert_problem, check_edge, edge_client
from motcua_tracking.app import create_app
from motcua_tracking.settings import ApiSettings, TrackingSettings

OFFICIAL = {"Authorization": "Bearer official-edge-token"}
ADMIN = {"Authorization": "Bearer admin-edge-token"}


@pytest.fixture
async def client():
    api = ApiSettings(
        official_token=SecretStr("official-edge-token"), admin_token=SecretStr("admin-edge-token")
    )
    async with edge_client(create_app(TrackingSettings(api=api))) as client:
        yield client


async def test_error_shapes(client) -> None:
    await check_edge(
        client,
        protected=Call("GET", "/v1/calendar/decisions"),
        forbidden=[Call("PUT", "/v1/calendar/decisions/2026", OFFICIAL, json={})],
        wrong_method=Call("DELETE", "/v1/calendar/decisions", ADMIN),
        allow="GET",
        invalid=Call("PUT", "/v1/calendar/decisions/1800", ADMIN, json={}),
        pointer="/path/year",
    )


@pytest.mark.parametrize(
    ("path", "status"),
    [("/v1/dossiers/ab%00c", 404), ("/v1/lookup/ABC-1?phone_last4=12%0034", 422)],
)
async def test_nul_in_a_path_or_query_never_reaches_the_database(client, path, status) -> None:
    response = await client.get(path, headers=OFFICIAL)
    assert_problem(response, status, "not_found" if status == 404 else "invalid_request")


async def test_openapi_documents_problems_and_response_models(client) -> None:
    document = (await client.get("/openapi.json")).json()
    put = document["paths"]["/v1/calendar/decisions/{year}"]["put"]["responses"]
    assert {"200", "401", "403", "404", "422", "500"} <= set(put)
    assert "application/problem+json" in put["403"]["content"]
    assert put["200"]["content"]["application/json"]["schema"] != {}
    lookup = document["paths"]["/v1/lookup/{code}"]["get"]["responses"]
    assert "429" in lookup
