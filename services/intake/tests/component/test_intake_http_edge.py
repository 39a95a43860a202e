"""Intake's HTTP edge: the common problem format and credentials, and the input it refuses
before anything is stored (control characters, another agency's code, empty imports, times
outside the years a dossier code can carry)."""

from __future__ import annotations

import pytest

from motcua.testing.http import Call, assert_problem, check_edge, edge_client

ADMIN_KEY = "test-admin-key-000000000000"
PROCEDURE = {
    "name": "Thủ tục thử",
    "field": "Thử nghiệm",
    "level": "province",
    "competent_agency": "STP",
    "processing_time": {"unit": "working_days", "amount": "1"},
    "steps": [
        {
            "code": "TN",
            "name": "Tiếp nhận",
            "unit_role": "one_stop",
            "allotted": {"unit": "working_days", "amount": "1"},
        }
    ],
}


async def test_error_shapes(intake) -> None:
    async with edge_client(intake.app) as client:
        await check_edge(
            client,
            protected=Call("GET", "/v1/procedures"),
            guess={"X-API-Key": "guess"},
            challenge="ApiKey",
            forbidden=[Call("PUT", "/v1/procedures/9.999", intake.headers(), json=PROCEDURE)],
            forbidden_code="admin_scope_required",
            wrong_method=Call("DELETE", "/v1/procedures/9.999", intake.headers()),
            allow="GET, PUT",
            invalid=Call(
                "POST", "/v1/dossiers", intake.headers(**{"Idempotency-Key": ""}), json={}
            ),
            pointer="/header/Idempotency-Key",
        )


@pytest.mark.parametrize("path", ["/v1/dossiers/ab%00c", "/v1/procedures/ab%00c"])
async def test_nul_in_a_path_is_not_found(intake, path) -> None:
    response = await intake.client.get(path, headers=intake.headers())
    assert_problem(response, 404, "not_found")


async def test_other_characters_a_code_cannot_hold_are_refused_in_a_path(intake) -> None:
    response = await intake.client.get("/v1/dossiers/a%20b", headers=intake.headers())
    problem = assert_problem(response, 422, "invalid_request")
    assert problem["errors"][0]["pointer"] == "/path/code"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"applicant": {"name": "Nguyễn\x00An"}}, "/applicant/name"),
        ({"applicant": {"name": "Nguyễn\nAn"}}, "/applicant/name"),
        ({"applicant": {"address": "Phú\tThọ"}}, "/applicant/address"),
        ({"components": [{"name": "Tờ\x1bkhai"}]}, "/components/0/name"),
        ({"proxy": {"name": "Trần\u0085Bình"}}, "/proxy/name"),
    ],
)
async def test_control_characters_in_a_registration_are_refused(
    intake, registration, change, pointer
) -> None:
    body = registration()
    for part, fields in change.items():
        body[part] = [fields[0]] if isinstance(fields, list) else {**body.get(part, {}), **fields}
    response = await intake.post("/v1/dossiers", body)
    problem = assert_problem(response, 422, "invalid_request")
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [
        (pointer, "control_character")
    ]
    assert await intake.scalar("SELECT count(*) FROM dossiers") == 0


async def test_notes_may_span_lines_but_hold_no_other_control_character(
    intake, registration
) -> None:
    code = (await intake.post("/v1/dossiers", registration())).json()["code"]
    at = intake.clock.now().isoformat()
    hand_over = {"type": "transferred", "occurred_at": at, "from_unit": "STP.MC"}
    with_nul = {**hand_over, "to_unit": "STP.HCTP", "note": "hồ sơ\x00"}
    refused = await intake.post(f"/v1/dossiers/{code}/events", with_nul)
    problem = assert_problem(refused, 422, "invalid_request")
    assert [e["pointer"] for e in problem["errors"]] == ["/note"]
    two_lines = {**hand_over, "to_unit": "STP.HCTP", "note": "Dòng một\nDòng hai\tcột"}
    assert (await intake.post(f"/v1/dossiers/{code}/events", two_lines)).status_code == 201
    reason = {"unit_code": "STP.MC", "reason": "Lý do\x07", "new_appointment_at": at}
    apology = await intake.post(f"/v1/dossiers/{code}/apology", reason)
    assert "/reason" in [e["pointer"] for e in apology.json()["errors"]]


async def test_a_supplied_code_must_carry_the_caller_s_agency(intake, registration) -> None:
    response = await intake.post("/v1/dossiers", registration(dossier_code="SXD-261120-0001"))
    problem = assert_problem(response, 422, "dossier_code_other_agency")
    assert problem["errors"][0]["pointer"] == "/dossier_code"
    unprefixed = await intake.post("/v1/dossiers", registration(dossier_code="QUAY-1"))
    assert_problem(unprefixed, 422, "dossier_code_other_agency")
    assert await intake.scalar("SELECT count(*) FROM dossiers") == 0
    own = await intake.post("/v1/dossiers", registration(dossier_code="STP-QUAY-1"))
    assert own.status_code == 201


async def test_an_admin_key_registers_under_the_dossier_s_agency(intake, registration) -> None:
    other = registration(dossier_code="SXD-QUAY-1")
    response = await intake.post("/v1/dossiers", other, key=ADMIN_KEY)
    assert_problem(response, 422, "dossier_code_other_agency")


async def test_an_import_with_no_line_is_refused(intake) -> None:
    for body in (b"", b"\n\n  \n"):
        response = await intake.client.post("/v1/imports", content=body, headers=intake.headers())
        assert_problem(response, 422, "empty_import")


async def test_times_before_2000_are_refused(intake, registration) -> None:
    response = await intake.post(
        "/v1/dossiers", registration(received_at="1970-01-01T09:00:00+07:00")
    )
    problem = assert_problem(response, 422, "time_too_early")
    assert problem["errors"][0]["pointer"] == "/received_at"


async def test_openapi_documents_every_error_as_a_problem(intake) -> None:
    document = (await intake.client.get("/openapi.json")).json()
    register = document["paths"]["/v1/dossiers"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "422", "500"} <= set(register)
    for status in ("401", "422", "500"):
        assert list(register[status]["content"]) == ["application/problem+json"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
