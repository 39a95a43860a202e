"""Intake and tracking show the same DVCQG status for dossiers down every path.

Each dossier is registered and moved on through intake's HTTP API as counter software
would; once tracking has applied its last event, intake's status
(`GET /v1/dossiers/{code}`) and tracking's official look-up must agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.infra

TOKEN = "cross-service-operator-token"
STP_KEY = "cross-service-stp-key-0000000000"
RECEIVED_AT = datetime.fromisoformat("2026-06-01T09:00:00+07:00")

TRANSFERRED = {"type": "transferred", "from_unit": "STP.MC", "to_unit": "STP.HCTP"}
HANDED_ON = {"type": "transferred", "from_unit": "STP.HCTP", "to_unit": "STP.BGD"}
ASKED = {
    "type": "supplement_requested",
    "missing_items": ["Bản sao Căn cước công dân"],
    "reason": "Thiếu giấy tờ tùy thân",
    "unit_code": "STP.HCTP",
}
SUPPLIED = {"type": "supplement_received", "items": ["Bản sao Căn cước công dân"]}
FEE = {"type": "financial_obligation_set", "amount_vnd": 200000, "description": "Lệ phí"}
PAID = {"type": "financial_obligation_paid", "amount_vnd": 200000, "method": "counter"}
FINISHED = {"type": "processing_finished", "outcome": "approved", "unit_code": "STP.BGD"}
RETURNED = {"type": "result_returned", "method": "counter"}
RATED = {"type": "satisfaction_rated", "score": 5}
APOLOGY = "apology"


def refused(stage: str) -> dict[str, Any]:
    unit = "STP.MC" if stage == "reception" else "STP.HCTP"
    return {"type": "refused", "stage": stage, "reasons": ["Không đủ điều kiện"], "unit_code": unit}


def withdrawn(kind: str) -> dict[str, Any]:
    return {"type": "withdrawn", "kind": kind, "reason": "Công dân xin rút hồ sơ"}


# name: (events after the reception, what tracking notes for the last one, DVCQG status)
PATHS: dict[str, tuple[tuple[Any, ...], str, int]] = {
    "received": ((), "received", 2),
    "handed over twice": ((TRANSFERRED, HANDED_ON), "transferred", 4),
    "withdrawn at the citizen's request": ((TRANSFERRED, withdrawn("withdrawn")), "withdrawn", 7),
    "stopped, conditions not met": ((TRANSFERRED, withdrawn("stopped")), "withdrawn", 8),
    "refused at reception": ((refused("reception"),), "refused", 3),
    "refused after appraisal": ((TRANSFERRED, refused("appraisal")), "refused", 9),
    "supplement requested": ((TRANSFERRED, ASKED), "supplement_requested", 5),
    "supplement received": ((TRANSFERRED, ASKED, SUPPLIED), "supplement_received", 4),
    "fee set": ((TRANSFERRED, FEE), "financial_obligation_set", 6),
    "fee paid": ((TRANSFERRED, FEE, PAID), "financial_obligation_paid", 4),
    "apology during processing": ((TRANSFERRED, APOLOGY), "apology_issued", 4),
    "finished": ((TRANSFERRED, HANDED_ON, FINISHED), "processing_finished", 9),
    "returned": ((TRANSFERRED, HANDED_ON, FINISHED, RETURNED, RATED), "result_returned", 10),
}


def registration(n: int) -> dict[str, Any]:
    return {
        "procedure_code": "2.001417",
        "agency_code": "STP",
        "unit_code": "STP.MC",
        "channel": "counter",
        "applicant": {"name": "Trần Văn Bình", "national_id": f"0251900{n:05d}"},
        "received_at": RECEIVED_AT.isoformat(),
    }


async def follow(province, code: str, events: tuple[Any, ...]) -> None:
    """Post the path's events through intake, a minute apart, each at its own time."""
    for minute, event in enumerate(events, start=1):
        at = RECEIVED_AT + timedelta(minutes=minute)
        if event == APOLOGY:
            body = {
                "unit_code": "STP.HCTP",
                "reason": "Cần xác minh thêm",
                "new_appointment_at": "2026-06-18T17:00:00+07:00",
                "filed_at": at.isoformat(),
            }
            await province.post(f"/v1/dossiers/{code}/apology", body, at=at)
        else:
            body = {**event, "occurred_at": at.isoformat()}
            await province.post(f"/v1/dossiers/{code}/events", body, at=at)


async def test_intake_and_tracking_agree_on_every_dossier_status(province) -> None:
    province.clock.set(RECEIVED_AT)
    codes = {}
    for n, (name, (events, _, _)) in enumerate(PATHS.items(), start=1):
        registered = await province.post("/v1/dossiers", registration(n), at=RECEIVED_AT)
        codes[name] = registered["code"]
        await follow(province, codes[name], events)

    async def tracked(code: str, last: str) -> dict[str, Any] | None:
        response = await province.clients["tracking"].get(
            f"/v1/dossiers/{code}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        if response.status_code != 200:
            return None
        view: dict[str, Any] = response.json()
        return view if view["history"] and view["history"][-1]["event"] == last else None

    seen = {}
    for name, (_, last, _) in PATHS.items():
        view = await province.eventually(lambda code=codes[name], last=last: tracked(code, last))
        response = await province.clients["intake"].get(
            f"/v1/dossiers/{codes[name]}", headers={"X-API-Key": STP_KEY}
        )
        seen[name] = (response.json()["status"], view["status"]["code"])

    assert seen == {name: (status, status) for name, (_, _, status) in PATHS.items()}
