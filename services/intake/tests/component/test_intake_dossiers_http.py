"""Registering dossiers and recording their events over HTTP, on the real database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

pytestmark = pytest.mark.infra

STP_KEY = "test-stp-key-0000000000000000"


def event(intake, type_: str, **fields) -> dict:
    return {"type": type_, "occurred_at": intake.clock.now().isoformat(), **fields}


async def test_registration_issues_a_code_and_stores_the_snapshot(intake, registration):
    response = await intake.post("/v1/dossiers", registration())

    assert response.status_code == 201
    receipt = response.json()
    assert receipt["code"] == "STP-261120-0001"
    assert response.headers["location"] == "/v1/dossiers/STP-261120-0001"
    assert (receipt["status"], receipt["event_type"]) == (2, "dossier.received")
    data = receipt["record"]["data"]
    # The reception names the catalogue revision it follows and copies none of it.
    assert (data["procedure_code"], data["procedure_revision"]) == ("2.001417", 1)
    assert data["copied_terms"] is None and "steps" not in response.text
    procedure = await intake.client.get("/v1/procedures/2.001417", headers=intake.headers())
    assert procedure.json()["revision"] == 1
    assert procedure.json()["processing_time"] == {"unit": "working_days", "amount": "10"}
    steps = ["TN", "CH", "PC1", "PC2", "TD", "KT", "KY", "LT", "TKQ"]
    assert [s["code"] for s in procedure.json()["steps"]] == steps
    # The applicant travels apart, on the applicants' topic (docs/privacy.md).
    assert "applicant" not in data and data["applicant_kind"] == "citizen"
    assert receipt["record"]["dossier_code"] == "STP-261120-0001"
    personal = await intake.scalar(
        "SELECT convert_from(payload, 'UTF8') FROM outbox WHERE topic = :t",
        t=intake.topics.applicants,
    )
    assert '"phone":"+84912345678"' in personal and '"applicant.recorded"' in personal
    assert '"email":true,"sms":true,"zalo":false' in personal
    assert "+84912345678" not in await intake.scalar(
        "SELECT string_agg(convert_from(envelope, 'UTF8'), '') FROM dossier_events"
    )

    stored = await intake.client.get("/v1/dossiers/STP-261120-0001", headers=intake.headers())
    assert stored.status_code == 200
    assert stored.json()["status"] == 2
    assert [e["event_id"] for e in stored.json()["events"]] == [receipt["event_id"]]
    assert await intake.outbox_count() == 1


async def test_the_code_is_dated_in_vietnam_and_counted_per_agency(intake, registration):
    # 23:30 UTC on the 19th is already the 20th in Vietnam.
    late = registration(received_at="2026-11-19T23:30:00+00:00")
    other = registration(agency_code="SXD", unit_code="SXD.MC", procedure_code="1.009972")
    codes = [
        (await intake.post("/v1/dossiers", late)).json()["code"],
        (await intake.post("/v1/dossiers", registration())).json()["code"],
        (await intake.post("/v1/dossiers", other, key="test-sxd-key-0000000000000000")).json()[
            "code"
        ],
    ]
    assert codes == ["STP-261120-0001", "STP-261120-0002", "SXD-261120-0001"]


async def test_the_sequence_widens_past_9999(intake, registration):
    async with intake.app.state.runtime.engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(
            text("INSERT INTO dossier_sequences VALUES ('STP', DATE '2026-11-20', 9999)")
        )
    response = await intake.post("/v1/dossiers", registration())
    assert response.json()["code"] == "STP-261120-10000"


@pytest.mark.parametrize(
    "writer",
    [{"max_batch": 256, "concurrency": 2}, {"max_batch": 1, "concurrency": 10}],
    ids=["group-commit", "one-transaction-each"],
)
async def test_fifty_concurrent_registrations_get_fifty_codes(start_intake, registration, writer):
    async with start_intake(writer=writer) as intake:
        responses = await asyncio.gather(
            *(intake.post("/v1/dossiers", registration()) for _ in range(50))
        )
        stored = await intake.scalar("SELECT count(DISTINCT code) FROM dossiers")
    assert {r.status_code for r in responses} == {201}
    codes = sorted(r.json()["code"] for r in responses)
    assert codes == [f"STP-261120-{n:04d}" for n in range(1, 51)]
    assert stored == 50


async def test_a_counter_may_supply_its_own_code_once(intake, registration):
    first = await intake.post("/v1/dossiers", registration(dossier_code="STP-QUAY-2026-000123"))
    again = await intake.post("/v1/dossiers", registration(dossier_code="STP-QUAY-2026-000123"))

    assert first.status_code == 201 and first.json()["code"] == "STP-QUAY-2026-000123"
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "duplicate_dossier_code"
    assert await intake.outbox_count() == 1


async def test_an_issued_code_skips_a_number_a_counter_already_took(intake, registration):
    await intake.post("/v1/dossiers", registration(dossier_code="STP-261120-0001"))
    issued = await intake.post("/v1/dossiers", registration())
    assert issued.json()["code"] == "STP-261120-0002"


def _applicant(**fields):
    base = {"name": "Trần Thị B", "national_id": "025190000456"}
    return {**base, **fields}


@pytest.mark.parametrize(
    ("change", "status", "code", "pointer"),
    [
        ({"procedure_code": "9.999999"}, 422, "unknown_procedure", "/procedure_code"),
        ({"agency_code": "STP", "unit_code": "SXD.MC"}, 422, "unknown_unit", "/unit_code"),
        (
            {"applicant": _applicant(national_id="12345")},
            422,
            "invalid_national_id",
            "/applicant/national_id",
        ),
        (
            {"applicant": _applicant(national_id="999090000123")},
            422,
            "invalid_national_id",
            "/applicant/national_id",
        ),
        ({"applicant": _applicant(phone="12345")}, 422, "invalid_phone", "/applicant/phone"),
        ({"applicant": _applicant(email="not-an-email")}, 422, "invalid_email", "/applicant/email"),
        (
            {
                "applicant": _applicant(
                    kind="organisation", national_id=None, organisation_code="0100109107"
                )
            },
            422,
            "invalid_tax_code",
            "/applicant/organisation_code",
        ),
        ({"received_at": "2026-11-20T08:00:00"}, 422, "time_without_timezone", "/received_at"),
        ({"received_at": "2026-11-20T09:10:00+07:00"}, 422, "time_in_future", "/received_at"),
        ({"dossier_code": "has spaces"}, 422, "dossier_code_invalid_characters", "/dossier_code"),
        ({"channel": "fax"}, 422, "invalid_request", "/channel"),
        ({"applicant": {"national_id": "025090000123"}}, 422, "invalid_request", "/applicant/name"),
        ({"unexpected": 1}, 422, "invalid_request", "/unexpected"),
    ],
)
async def test_bad_registrations_are_refused_and_leave_no_trace(
    intake, registration, change, status, code, pointer
):
    response = await intake.post("/v1/dossiers", registration(**change))

    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["code"] == code
    assert problem["status"] == status
    assert {"type", "title", "detail"} <= problem.keys()
    assert pointer in [e["pointer"] for e in problem["errors"]]
    assert await intake.scalar("SELECT count(*) FROM dossiers") == 0
    assert await intake.outbox_count() == 0


async def test_an_unknown_agency_is_refused(intake, registration):
    response = await intake.post(
        "/v1/dossiers",
        registration(agency_code="NOPE", unit_code="NOPE.MC"),
        key="test-admin-key-000000000000",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "pointer": "/agency_code",
        "code": "unknown_agency",
        "detail": "agency 'NOPE' is unknown",
    }


async def test_a_small_clock_skew_is_allowed(intake, registration):
    ahead = (intake.clock.now() + timedelta(minutes=2)).isoformat()
    assert (await intake.post("/v1/dossiers", registration(received_at=ahead))).status_code == 201


async def test_malformed_json_is_a_400_problem(intake):
    response = await intake.client.post(
        "/v1/dossiers",
        content=b'{"procedure_code": ',
        headers={**intake.headers(), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


async def test_the_lifecycle_is_recorded_in_order(intake, registration):
    code = (await intake.post("/v1/dossiers", registration())).json()["code"]
    steps = [
        (event(intake, "transferred", from_unit="STP.MC", to_unit="STP.HCTP"), 4),
        (
            event(
                intake,
                "supplement_requested",
                missing_items=["Bản sao CCCD"],
                reason="Thiếu giấy tờ",
                unit_code="STP.HCTP",
            ),
            5,
        ),
        (event(intake, "supplement_received", items=["Bản sao CCCD"]), 4),
        (event(intake, "financial_obligation_set", amount_vnd=200000, description="Lệ phí"), 6),
        (event(intake, "financial_obligation_paid", amount_vnd=200000, method="online"), 4),
        (event(intake, "processing_finished", outcome="approved", unit_code="STP.BGD"), 9),
        (event(intake, "result_returned", method="counter"), 10),
        (event(intake, "satisfaction_rated", score=5), 10),
    ]
    for body, status in steps:
        response = await intake.post(f"/v1/dossiers/{code}/events", body)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == status

    stored = (await intake.client.get(f"/v1/dossiers/{code}", headers=intake.headers())).json()
    assert [e["event_type"] for e in stored["events"]] == [
        "dossier.received",
        "dossier.transferred",
        "dossier.supplement-requested",
        "dossier.supplement-received",
        "dossier.financial-obligation-set",
        "dossier.financial-obligation-paid",
        "dossier.processing-finished",
        "dossier.result-returned",
        "dossier.satisfaction-rated",
    ]
    assert await intake.outbox_count() == 9


async def test_an_event_the_status_does_not_allow_is_refused(intake, registration):
    code = (await intake.post("/v1/dossiers", registration())).json()["code"]
    response = await intake.post(f"/v1/dossiers/{code}/events", event(intake, "result_returned"))
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert await intake.outbox_count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code", "pointer"),
    [
        (
            {"type": "transferred", "from_unit": "STP.MC", "to_unit": "X.Y"},
            422,
            "unknown_unit",
            "/to_unit",
        ),
        (
            {"type": "withdrawn", "reason": "r", "occurred_at": "2026-11-20T08:00:00"},
            422,
            "time_without_timezone",
            "/occurred_at",
        ),
        (
            {"type": "withdrawn", "reason": "r", "occurred_at": "2026-11-21T08:00:00+07:00"},
            422,
            "time_in_future",
            "/occurred_at",
        ),
        (
            {"type": "withdrawn", "reason": "r", "occurred_at": "2026-11-01T08:00:00+07:00"},
            422,
            "occurred_before_reception",
            "/occurred_at",
        ),
        ({"type": "satisfaction_rated", "score": 9}, 422, "invalid_request", "/score"),
        ({"type": "teleported"}, 422, "invalid_request", "/"),
    ],
)
async def test_bad_events_are_refused(intake, registration, body, status, code, pointer):
    dossier = (await intake.post("/v1/dossiers", registration())).json()["code"]
    body = {"occurred_at": intake.clock.now().isoformat(), **body}
    response = await intake.post(f"/v1/dossiers/{dossier}/events", body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert await intake.outbox_count() == 1


async def test_events_of_an_unknown_dossier_are_404(intake):
    response = await intake.post(
        "/v1/dossiers/STP-261120-0042/events", event(intake, "withdrawn", reason="r")
    )
    assert response.status_code == 404
    assert response.json()["code"] == "dossier_not_found"


async def test_an_apology_is_filed_for_an_open_dossier(intake, registration):
    code = (await intake.post("/v1/dossiers", registration())).json()["code"]
    later = (intake.clock.now() + timedelta(days=3)).isoformat()
    response = await intake.post(
        f"/v1/dossiers/{code}/apology",
        {"unit_code": "STP.HCTP", "reason": "Chờ xác minh", "new_appointment_at": later},
    )
    assert response.status_code == 201, response.text
    record = response.json()["record"]
    assert record["event_type"] == "dossier.apology-filed"
    assert record["data"]["new_appointment_at"] == later
    assert response.json()["status"] == 2


@pytest.mark.parametrize(
    ("appointment", "code"),
    [
        ("2026-11-19T09:00:00+07:00", "appointment_not_in_future"),
        ("2026-11-25T09:00:00", "time_without_timezone"),
    ],
)
async def test_an_apology_needs_an_aware_future_appointment(
    intake, registration, appointment, code
):
    dossier = (await intake.post("/v1/dossiers", registration())).json()["code"]
    response = await intake.post(
        f"/v1/dossiers/{dossier}/apology",
        {"unit_code": "STP.HCTP", "reason": "r", "new_appointment_at": appointment},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/new_appointment_at"
    assert response.json()["code"] == code


async def test_no_apology_for_a_finished_dossier(intake, registration):
    code = (await intake.post("/v1/dossiers", registration())).json()["code"]
    await intake.post(
        f"/v1/dossiers/{code}/events",
        event(intake, "processing_finished", outcome="approved", unit_code="STP.BGD"),
    )
    response = await intake.post(
        f"/v1/dossiers/{code}/apology",
        {"unit_code": "STP.HCTP", "reason": "r", "new_appointment_at": "2026-12-01T09:00:00+07:00"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


async def test_a_retry_returns_the_first_answer_and_publishes_nothing(intake, registration):
    body = registration()
    first = await intake.post("/v1/dossiers", body, **{"Idempotency-Key": "reg-1"})
    retry = await intake.post("/v1/dossiers", body, **{"Idempotency-Key": "reg-1"})

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.content == first.content
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["location"] == first.headers["location"]
    assert first.headers["location"] == f"/v1/dossiers/{first.json()['code']}"
    assert await intake.outbox_count() == 1
    assert await intake.scalar("SELECT count(*) FROM dossiers") == 1


async def test_concurrent_retries_apply_once(intake, registration):
    body = registration()
    responses = await asyncio.gather(
        *(intake.post("/v1/dossiers", body, **{"Idempotency-Key": "burst"}) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert await intake.outbox_count() == 1


async def test_a_key_reused_for_another_body_is_refused(intake, registration):
    await intake.post("/v1/dossiers", registration(), **{"Idempotency-Key": "reg-2"})
    other = registration(digitised=False)
    response = await intake.post("/v1/dossiers", other, **{"Idempotency-Key": "reg-2"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert await intake.outbox_count() == 1


async def test_event_retries_are_idempotent_too(intake, registration):
    code = (await intake.post("/v1/dossiers", registration())).json()["code"]
    body = event(intake, "transferred", from_unit="STP.MC", to_unit="STP.HCTP")
    first = await intake.post(f"/v1/dossiers/{code}/events", body, **{"Idempotency-Key": "ev"})
    retry = await intake.post(f"/v1/dossiers/{code}/events", body, **{"Idempotency-Key": "ev"})
    assert retry.content == first.content
    assert await intake.outbox_count() == 2
    elsewhere = await intake.post(
        f"/v1/dossiers/{code}/apology",
        {"unit_code": "STP.HCTP", "reason": "r", "new_appointment_at": "2026-12-01T09:00:00+07:00"},
        **{"Idempotency-Key": "ev"},
    )
    assert elsewhere.json()["code"] == "idempotency_key_reused"


async def test_the_same_key_of_two_agencies_does_not_collide(intake, registration):
    other = registration(agency_code="SXD", unit_code="SXD.MC", procedure_code="1.009972")
    a = await intake.post("/v1/dossiers", registration(), **{"Idempotency-Key": "shared"})
    b = await intake.post(
        "/v1/dossiers", other, key="test-sxd-key-0000000000000000", **{"Idempotency-Key": "shared"}
    )
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["code"] != b.json()["code"]
