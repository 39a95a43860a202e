"""Notify's HTTP edge: every error is a problem; 401 and 403 mean what they mean everywhere;
a NUL in a query, a path or a directory entry is refused before it reaches the database."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from motcua.testing.http import Call, assert_problem, check_edge, edge_client
from motcua_notify.app import create_app
from motcua_notify.settings import ApiSettings, NotifySettings

READ = {"Authorization": "Bearer read-edge-token"}
ADMIN = {"Authorization": "Bearer admin-edge-token"}
UNIT = {"agency_code": "STP", "name": "Tổ một cửa", "role": "one_stop"}


@pytest.fixture
async def client():
    api = ApiSettings(
        read_token=SecretStr("read-edge-token"),
        admin_token=SecretStr("admin-edge-token"),
        receipt_token=SecretStr("receipt-edge-token"),
    )
    async with edge_client(create_app(NotifySettings(api=api))) as client:
        yield client


async def test_error_shapes(client) -> None:
    await check_edge(
        client,
        protected=Call("GET", "/v1/directory/units/STP.A"),
        forbidden=[
            Call("GET", "/v1/directory/units/STP.A", READ),
            Call("POST", "/v1/receipts/sms", ADMIN, json={}),
        ],
        wrong_method=Call("DELETE", "/v1/directory/units/STP.A", ADMIN),
        allow="GET, PUT",
        invalid=Call("GET", "/v1/notifications?dossier_code=A&limit=0", READ),
        pointer="/query/limit",
    )
    no_filter = await client.get("/v1/notifications", headers=READ)
    assert_problem(no_filter, 422, "one_filter_required")


async def test_nul_in_a_query_is_refused(client) -> None:
    response = await client.get("/v1/notifications?dossier_code=ab%00c", headers=READ)
    problem = assert_problem(response, 422, "invalid_request")
    assert problem["errors"][0]["pointer"] == "/query/dossier_code"
    recipient = await client.get("/v1/notifications", params={"recipient": "a\x00bc"}, headers=READ)
    assert_problem(recipient, 422, "invalid_request")


async def test_nul_in_a_directory_entry_is_refused(client) -> None:
    in_path = await client.put("/v1/directory/units/ab%00c", json=UNIT, headers=ADMIN)
    assert_problem(in_path, 404, "not_found")
    in_body = await client.put(
        "/v1/directory/units/STP.X", json={**UNIT, "name": "Tổ\x00"}, headers=ADMIN
    )
    problem = assert_problem(in_body, 422, "invalid_request")
    assert problem["errors"] == [
        {
            "pointer": "/name",
            "code": "control_character",
            "detail": "control characters are not allowed (the first is at position 2)",
        }
    ]


async def test_openapi_documents_problems(client) -> None:
    document = (await client.get("/openapi.json")).json()
    put = document["paths"]["/v1/directory/units/{code}"]["put"]["responses"]
    assert {"401", "403", "404", "422", "500"} <= set(put)
    assert list(put["422"]["content"]) == ["application/problem+json"]
