"""One dossier's complete life through intake, tracking, notify and scoring."""

from __future__ import annotations

from datetime import datetime

import orjson
import pytest

pytestmark = pytest.mark.infra


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+07:00")


def receipt_text(province, code: str) -> str:
    return next(text for text in province.mailbox.texts() if code in text)


async def test_a_late_dossier_with_an_apology_from_reception_to_the_indicators(province) -> None:
    registered = await province.post(
        "/v1/dossiers",
        {
            "procedure_code": "2.001417",  # criminal record certificate: 10 working days
            "agency_code": "STP",
            "unit_code": "STP.MC",
            "channel": "counter",
            "applicant": {
                "name": "Nguyễn Thị Hoa",
                "national_id": "025190000123",
                "phone": "0912345678",
                "email": "hoa.nguyen@example.vn",
                "consent": {"email": True},
            },
            "received_at": at("2026-06-01T09:00:00").isoformat(),
            "digitised": True,
        },
        at=at("2026-06-01T09:01:00"),
    )
    code = registered["code"]

    (deadline,) = await province.tracking_events(code, "tracking.deadline-set")
    assert deadline.data.appointment_at == at("2026-06-15T09:00:00")
    (receipt,) = await province.notifications(code, "receipt")
    assert receipt["channel"] == "email"
    assert any(code in text and "15/06/2026" in text for text in province.mailbox.texts())
    # The reception names its procedure's catalogue revision and copies none of it: tracking
    # (10 working days) and notify (the receipt) took the terms from the catalogue topic.
    (reception, *_) = await province.records("dossier_events", code)
    received = orjson.loads(reception)
    assert (received["event_type"], received["schema_version"]) == ("dossier.received", 3)
    assert received["data"]["procedure_code"] == "2.001417"
    assert received["data"]["procedure_revision"] >= 1
    assert received["data"]["copied_terms"] is None and b"steps" not in reception
    assert deadline.data.procedure_name in receipt_text(province, code)

    await province.post(
        f"/v1/dossiers/{code}/events",
        {
            "type": "transferred",
            "from_unit": "STP.MC",
            "to_unit": "STP.HCTP",
            "occurred_at": at("2026-06-01T10:00:00").isoformat(),
        },
        at=at("2026-06-01T10:01:00"),
    )
    await province.post(
        f"/v1/dossiers/{code}/events",
        {
            "type": "supplement_requested",
            "missing_items": ["Bản sao Căn cước công dân"],
            "reason": "Thiếu giấy tờ tùy thân",
            "unit_code": "STP.HCTP",
            "occurred_at": at("2026-06-02T10:00:00").isoformat(),
        },
        at=at("2026-06-02T10:01:00"),
    )

    async def changed(cause: str):
        return [
            e
            for e in await province.tracking_events(code, "tracking.deadline-changed")
            if e.data.cause == cause and e.data.scope == "dossier"
        ]

    (paused,) = await province.eventually(lambda: changed("supplement_paused"))
    assert paused.data.new_due_at is None  # the clock stops while the citizen is asked
    await province.post(
        f"/v1/dossiers/{code}/events",
        {
            "type": "supplement_received",
            "items": ["Bản sao Căn cước công dân"],
            "unit_code": "STP.HCTP",
            "occurred_at": at("2026-06-03T10:00:00").isoformat(),
        },
        at=at("2026-06-03T10:01:00"),
    )

    (resumption,) = await province.eventually(lambda: changed("supplement_resumed"))
    # A working day waiting for the citizen does not count: due one working day later.
    assert resumption.data.new_due_at == at("2026-06-16T09:00:00")

    province.clock.set(at("2026-06-15T08:00:00"))  # the last working day before the due day

    async def dossier_due_soon():
        events = await province.tracking_events(code, "tracking.due-soon")
        return [e for e in events if e.data.scope == "dossier"]

    (due_soon,) = await province.eventually(dossier_due_soon)
    assert due_soon.data.due_at == at("2026-06-16T09:00:00")
    (required,) = await province.tracking_events(code, "tracking.apology-required")
    assert required.data.unit_code == "STP.HCTP"

    await province.post(
        f"/v1/dossiers/{code}/apology",
        {
            "unit_code": "STP.HCTP",
            "reason": "Cần xác minh thêm với Công an tỉnh",
            "new_appointment_at": at("2026-06-18T17:00:00").isoformat(),
            "signed_by": "Giám đốc Sở Tư pháp",
            "filed_at": at("2026-06-15T09:00:00").isoformat(),
        },
        at=at("2026-06-15T09:01:00"),
    )
    (issued,) = await province.tracking_events(code, "tracking.apology-issued")
    assert issued.data.new_appointment_at == at("2026-06-18T17:00:00")
    assert not issued.data.late
    assert await province.notifications(code, "apology")
    assert any("Phiếu xin lỗi" in text or "xin lỗi" in text for text in province.mailbox.texts())

    await province.post(
        f"/v1/dossiers/{code}/events",
        {
            "type": "processing_finished",
            "outcome": "approved",
            "unit_code": "STP.HCTP",
            "occurred_at": at("2026-06-19T10:00:00").isoformat(),
        },
        at=at("2026-06-19T10:01:00"),
    )
    (verdict,) = await province.tracking_events(code, "tracking.dossier-verdict-given")
    assert verdict.data.verdict == "late"

    async def counted():
        figures = await province.indicators("agency:STP", "2026-06")
        return figures if figures["resolved_late"] == 1 and figures["apologies"] == 1 else None

    figures = await province.eventually(counted)
    assert figures["received"] == 1
    assert figures["resolved_early"] == 0 and figures["resolved_on_time"] == 0
    assert figures["supplement_requests"] == 1
