"""Tracking's HTTP edge: every error is a problem; 401 and 403 mean what they mean everywhere."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from motcua.testing.http import CRASH_PATH, assert_problem, edge_client
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
    assert_problem(await client.get("/v1/calendar/decisions"), 401, "not_authenticated")
    unknown = await client.get("/v1/calendar/decisions", headers={"Authorization": "Bearer x"})
    assert_problem(unknown, 401, "invalid_credentials")
    official_on_admin = await client.put("/v1/calendar/decisions/2026", json={}, headers=OFFICIAL)
    assert_problem(official_on_admin, 403, "forbidden")
    assert_problem(await client.get("/v1/nowhere"), 404, "not_found")
    wrong_method = await client.delete("/v1/calendar/decisions", headers=ADMIN)
    assert_problem(wrong_method, 405, "method_not_allowed")
    assert wrong_method.headers["allow"] == "GET"
    bad_year = await client.put("/v1/calendar/decisions/1800", json={}, headers=ADMIN)
    problem = assert_problem(bad_year, 422, "invalid_request")
    assert problem["errors"][0]["pointer"] == "/path/year"
    assert_problem(await client.get(CRASH_PATH), 500, "internal_error")


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
