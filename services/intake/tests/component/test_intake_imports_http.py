"""Bulk NDJSON imports, streamed."""

from __future__ import annotations

import orjson
import pytest

pytestmark = pytest.mark.infra

ADMIN_KEY = "test-admin-key-000000000000"


def registration_line(body: dict, events: list[dict] | None = None) -> bytes:
    return orjson.dumps({"kind": "registration", "dossier": body, "events": events or []})


async def post_lines(intake, lines, key: str | None = None, chunk: int = 64 * 1024):
    async def stream():
        buffer = bytearray()
        for line in lines:
            buffer += line + b"\n"
            if len(buffer) >= chunk:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)

    headers = intake.headers(content_type="application/x-ndjson")
    if key:
        headers["Idempotency-Key"] = key
    return await intake.client.post("/v1/imports", content=stream(), headers=headers)


async def test_a_hundred_thousand_lines_are_counted_exactly(start_intake, registration, clock):
    async with start_intake() as intake:
        at = clock.now().isoformat()
        transferred = {
            "type": "transferred",
            "from_unit": "STP.MC",
            "to_unit": "STP.HCTP",
            "occurred_at": at,
        }
        good = registration_line(registration(), [transferred])
        bad_id = registration_line(
            registration(applicant={"name": "X", "national_id": "999000000000"})
        )
        coded = registration(dossier_code="STP-LEGACY-1")
        duplicate = registration_line(coded)
        event_line = orjson.dumps(
            {"kind": "event", "dossier_code": "STP-LEGACY-1", "event": {**transferred}}
        )

        def lines():
            yield registration_line(coded)
            for n in range(2, 100_001):
                if n % 1000 == 0:
                    yield bad_id
                elif n % 1000 == 500:
                    yield b"{not json"
                elif n in (50_001, 70_001):
                    yield duplicate
                elif n == 60_001:
                    yield event_line
                else:
                    yield good

        response = await post_lines(intake, lines())
        report = response.json()
        stored = await intake.scalar("SELECT count(*) FROM dossiers")
        events = await intake.scalar("SELECT count(*) FROM dossier_events")
        outbox = await intake.outbox_count()
        legacy = await intake.scalar("SELECT status FROM dossiers WHERE code = 'STP-LEGACY-1'")
        codes = await intake.scalar("SELECT count(DISTINCT code) FROM dossiers")

    assert response.status_code == 200, response.text[:500]
    rejected = 100 + 100 + 2  # bad IDs, bad JSON, duplicates
    assert report["lines"] == 100_000
    assert (report["accepted"], report["rejected"]) == (100_000 - rejected, rejected)
    assert len(report["rejections"]) == rejected and report["rejections_not_listed"] == 0
    listed = {r["line"]: r for r in report["rejections"]}
    assert listed[1000]["code"] == "invalid_national_id"
    assert listed[1000]["errors"][0]["pointer"] == "/dossier/applicant/national_id"
    assert listed[500]["code"] == "malformed_json"
    assert listed[50_001]["code"] == listed[70_001]["code"] == "duplicate_dossier_code"
    registrations = 100_000 - rejected - 1
    assert stored == codes == registrations
    assert events == outbox == 2 * (registrations - 1) + 1 + 1
    assert legacy == 4


async def test_lines_are_checked_against_what_came_before(intake, registration, clock):
    at = clock.now().isoformat()
    lines = [
        registration_line(registration(dossier_code="STP-A-1")),
        orjson.dumps(
            {
                "kind": "event",
                "dossier_code": "STP-A-1",
                "event": {"type": "result_returned", "occurred_at": at},
            }
        ),
        orjson.dumps(
            {
                "kind": "event",
                "dossier_code": "STP-A-1",
                "event": {
                    "type": "processing_finished",
                    "outcome": "approved",
                    "unit_code": "STP.BGD",
                    "occurred_at": at,
                },
            }
        ),
        orjson.dumps(
            {
                "kind": "event",
                "dossier_code": "STP-A-1",
                "event": {"type": "result_returned", "occurred_at": at},
            }
        ),
        orjson.dumps(
            {
                "kind": "apology",
                "dossier_code": "STP-A-1",
                "apology": {
                    "unit_code": "STP.HCTP",
                    "reason": "r",
                    "new_appointment_at": "2026-12-01T09:00:00+07:00",
                },
            }
        ),
        orjson.dumps(
            {
                "kind": "event",
                "dossier_code": "NOPE-1",
                "event": {"type": "result_returned", "occurred_at": at},
            }
        ),
        b"",
        registration_line(
            registration(),
            [
                {"type": "result_returned", "occurred_at": at},
            ],
        ),
        orjson.dumps({"kind": "teleport"}),
        registration_line(
            registration(agency_code="SXD", unit_code="SXD.MC", procedure_code="1.009972")
        ),
    ]
    report = (await post_lines(intake, lines)).json()

    assert (report["lines"], report["accepted"], report["rejected"]) == (9, 3, 6)
    assert [(r["line"], r["code"]) for r in report["rejections"]] == [
        (2, "transition_not_allowed"),
        (5, "transition_not_allowed"),
        (6, "dossier_not_found"),
        (8, "transition_not_allowed"),
        (9, "invalid_request"),
        (10, "forbidden"),
    ]
    assert report["rejections"][3]["errors"][0]["pointer"] == "/events/0/type"
    assert await intake.scalar("SELECT status FROM dossiers WHERE code = 'STP-A-1'") == 10
    assert await intake.scalar("SELECT count(*) FROM dossiers") == 1


async def test_listed_rejections_are_capped(start_intake, registration):
    async with start_intake(imports={"max_listed_rejections": 5, "chunk_lines": 7}) as intake:
        report = (await post_lines(intake, [b"[]"] * 40)).json()
    assert (report["rejected"], len(report["rejections"])) == (40, 5)
    assert report["rejections_not_listed"] == 35
    assert [r["line"] for r in report["rejections"]] == [1, 2, 3, 4, 5]


async def test_an_overlong_line_is_refused_alone(start_intake, registration):
    async with start_intake(imports={"max_line_bytes": 4096}) as intake:
        lines = [
            registration_line(registration()),
            b'{"kind": "' + b"x" * 10_000 + b'"}',
            registration_line(registration()),
        ]
        report = (await post_lines(intake, lines, chunk=1000)).json()
    assert (report["accepted"], report["rejected"]) == (2, 1)
    assert report["rejections"][0]["line"] == 2
    assert report["rejections"][0]["code"] == "line_too_long"


async def test_a_retried_import_is_answered_from_its_record(intake, registration):
    lines = [registration_line(registration()) for _ in range(3)]
    first = await post_lines(intake, lines, key="import-1")
    again = await post_lines(intake, lines, key="import-1")
    other = await post_lines(intake, lines[:2], key="import-1")

    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert await intake.scalar("SELECT count(*) FROM dossiers") == 3


async def test_an_import_over_its_limit_is_413(start_intake, registration):
    async with start_intake(imports={"max_body_bytes": 10_000, "chunk_lines": 5}) as intake:
        lines = [registration_line(registration()) for _ in range(40)]
        declared = await intake.client.post(
            "/v1/imports", content=b"\n".join(lines), headers=intake.headers()
        )
        streamed = await post_lines(intake, lines, chunk=1000)
        stored = await intake.scalar("SELECT count(*) FROM dossiers")
    assert declared.status_code == streamed.status_code == 413
    assert streamed.json()["code"] == "body_too_large"
    assert streamed.json()["accepted"] == stored > 0
