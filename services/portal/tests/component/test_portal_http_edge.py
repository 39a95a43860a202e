"""The portal's HTTP edge: every error is a problem; 401 and 403 mean what they mean
everywhere; a NUL in a path or a mapping never reaches the database."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from motcua.testing.http import Call, assert_problem, check_edge, edge_client
from motcua_portal.app import create_app
from motcua_portal.settings import ApiSettings, PortalSettings

OFFICIAL = {"Authorization": "Bearer official-edge-token"}
ADMIN = {"Authorization": "Bearer admin-edge-token"}


@pytest.fixture
async def client():
    api = ApiSettings(
        official_token=SecretStr("official-edge-token"), admin_token=SecretStr("admin-edge-token")
    )
    async with edge_client(create_app(PortalSettings(api=api))) as client:
        yield client


async def test_error_shapes(client) -> None:
    await check_edge(
        client,
        protected=Call("GET", "/v1/mappings/units"),
        forbidden=[Call("POST", "/v1/sync/dead-letters/redrive", OFFICIAL)],
        wrong_method=Call("DELETE", "/v1/mappings/units", ADMIN),
        allow="GET",
        invalid=Call("GET", "/v1/sync?received_from=yesterday", OFFICIAL),
        pointer="/query/received_from",
    )


async def test_nul_in_a_path_or_a_mapping_is_refused(client) -> None:
    assert_problem(await client.get("/v1/sync/ab%00c", headers=OFFICIAL), 404, "not_found")
    mapping = await client.put(
        "/v1/mappings/units/STP", json={"unit_code": "000\x00"}, headers=ADMIN
    )
    problem = assert_problem(mapping, 422, "invalid_request")
    assert problem["errors"][0]["pointer"] == "/unit_code"
