"""API keys, scopes, body limits, metrics and logs of the HTTP API."""

from __future__ import annotations

import logging

import pytest

from motcua.logs import JsonFormatter

pytestmark = pytest.mark.infra

ADMIN_KEY = "test-admin-key-000000000000"
SXD_KEY = "test-sxd-key-0000000000000000"


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": "wrong-key-0000000000000"}, {"Authorization": "Bearer nope"}],
    ids=["missing", "unknown", "unknown-bearer"],
)
async def test_requests_without_a_valid_key_are_401(intake, registration, headers):
    response = await intake.client.post("/v1/dossiers", json=registration(), headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] in {"not_authenticated", "invalid_credentials"}
    assert "www-authenticate" in response.headers
    assert await intake.outbox_count() == 0


async def test_a_bearer_token_is_accepted(intake, registration):
    response = await intake.client.post(
        "/v1/dossiers",
        json=registration(),
        headers={"Authorization": "Bearer test-stp-key-0000000000000000"},
    )
    assert response.status_code == 201


async def test_a_key_cannot_register_for_another_agency(intake, registration):
    response = await intake.post("/v1/dossiers", registration(), key=SXD_KEY)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_a_key_cannot_touch_another_agencys_dossier(intake, registration):
    code = (await intake.post("/v1/dossiers", registration())).json()["code"]
    body = {"type": "withdrawn", "reason": "r", "occurred_at": intake.clock.now().isoformat()}
    event = await intake.post(f"/v1/dossiers/{code}/events", body, key=SXD_KEY)
    read = await intake.client.get(f"/v1/dossiers/{code}", headers={"X-API-Key": SXD_KEY})
    assert (event.status_code, read.status_code) == (403, 403)
    assert await intake.outbox_count() == 1
    admin = await intake.post(f"/v1/dossiers/{code}/events", body, key=ADMIN_KEY)
    assert admin.status_code == 201


async def test_only_admins_edit_the_catalogue_and_issue_keys(intake):
    procedure = (
        await intake.client.get("/v1/procedures/2.001417", headers=intake.headers())
    ).json()
    body = {k: v for k, v in procedure.items() if k not in {"code", "revision"}}
    put = await intake.client.put("/v1/procedures/2.001417", json=body, headers=intake.headers())
    key = await intake.post("/v1/agencies/STP/keys", {})
    assert (put.status_code, key.status_code) == (403, 403)
    assert put.json()["code"] == "admin_scope_required"


async def test_an_issued_key_works_for_its_agency_only(intake, registration):
    response = await intake.post(
        "/v1/agencies/SXD/keys", {"label": "phần mềm một cửa"}, key=ADMIN_KEY
    )
    assert response.status_code == 201
    issued = response.json()
    assert issued["agency"] == "SXD" and issued["key"].startswith(issued["prefix"])
    sxd = registration(agency_code="SXD", unit_code="SXD.MC", procedure_code="1.009972")
    assert (await intake.post("/v1/dossiers", sxd, key=issued["key"])).status_code == 201
    assert (await intake.post("/v1/dossiers", registration(), key=issued["key"])).status_code == 403
    stored = await intake.scalar(
        "SELECT count(*) FROM api_keys WHERE prefix = :p", p=issued["prefix"]
    )
    assert stored == 1
    in_clear = await intake.scalar(
        "SELECT count(*) FROM api_keys WHERE encode(digest, 'escape') LIKE :k",
        k=f"%{issued['key']}%",
    )
    assert in_clear == 0


async def test_a_retried_key_issue_creates_no_second_key(intake):
    first = await intake.post(
        "/v1/agencies/STP/keys", {}, key=ADMIN_KEY, **{"Idempotency-Key": "k"}
    )
    again = await intake.post(
        "/v1/agencies/STP/keys", {}, key=ADMIN_KEY, **{"Idempotency-Key": "k"}
    )
    assert first.json()["key"] and again.json()["key"] is None
    assert again.json()["prefix"] == first.json()["prefix"]
    assert await intake.scalar("SELECT count(*) FROM api_keys WHERE agency_code = 'STP'") == 2


async def test_keys_for_an_unknown_agency_are_404(intake):
    response = await intake.post("/v1/agencies/NOPE/keys", {}, key=ADMIN_KEY)
    assert response.status_code == 404
    assert response.json()["code"] == "agency_not_found"


async def test_an_oversized_body_is_413(start_intake, registration):
    async with start_intake(http={"max_body_bytes": 2048}) as intake:
        big = registration(components=[{"name": "x" * 300}] * 20)
        declared = await intake.post("/v1/dossiers", big)

        async def chunks():
            yield b'{"procedure_code": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        streamed = await intake.client.post(
            "/v1/dossiers",
            content=chunks(),
            headers={**intake.headers(), "content-type": "application/json"},
        )
        small = await intake.post("/v1/dossiers", registration())
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "body_too_large"
    assert small.status_code == 201


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter("intake"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_metrics_and_logs_carry_no_personal_data(intake, registration):
    collected = _Collect()
    logging.getLogger().addHandler(collected)
    try:
        await intake.post("/v1/dossiers", registration())
        bad = registration(applicant={"name": "X", "national_id": "001099012345", "phone": "1"})
        await intake.post("/v1/dossiers", bad)
        await intake.client.post("/v1/imports", content=b"{}\n", headers=intake.headers())
        metrics = (await intake.client.get("/metrics")).text
    finally:
        logging.getLogger().removeHandler(collected)
    assert 'route="/v1/dossiers",status="201"' in metrics
    assert 'motcua_intake_commands_rejected_total{reason="invalid_phone",source="http"}' in metrics
    secrets = ["025090000123", "001099012345", "912345678", "an.nguyen", "test-stp-key"]
    for text in [metrics, *collected.lines]:
        assert not any(secret in text for secret in secrets)


async def test_openapi_and_docs_are_served(intake):
    document = (await intake.client.get("/openapi.json")).json()
    assert {"/v1/dossiers", "/v1/dossiers/{code}/events", "/v1/imports"} <= document["paths"].keys()
    assert (await intake.client.get("/docs")).status_code == 200
