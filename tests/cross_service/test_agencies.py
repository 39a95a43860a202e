"""Agencies as data: created, changed, merged and retired through intake's admin API,
read by tracking (names, office hours) and scoring (names, merged figures)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest

pytestmark = pytest.mark.infra

WITHIN_HOURS = "2.000884"  # certifying a signature: 4 working hours, no cut-off
THREE_DAYS = "1.001022"  # recognising a parent: 3 working days


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+07:00")


def commune(name: str, code: str, hours: list[list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "level": "commune",
        "kind": "commune",
        "parent": "PTO",
        "units": [
            {"code": f"{code}.MC", "name": f"Bộ phận một cửa {name}", "role": "one_stop"},
            {"code": f"{code}.TP", "name": f"Công chức tư pháp {name}", "role": "specialist"},
            {"code": f"{code}.LD", "name": f"Lãnh đạo {name}", "role": "leader"},
        ],
        "procedures": [WITHIN_HOURS, THREE_DAYS],
    }
    if hours is not None:
        body["office_hours"] = hours
    return body


class Admin:
    """Intake's admin API and registrations made with the admin key."""

    def __init__(self, province: Any) -> None:
        self.province = province
        self.intake = province.clients["intake"]
        self.headers = {"X-API-Key": province.admin_key}
        self.count = 0

    async def call(self, method: str, path: str, body: dict[str, Any]) -> Any:
        return await self.intake.request(
            method,
            path,
            json=body,
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
        )

    async def put(self, code: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.call("PUT", f"/v1/agencies/{code}", body)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    async def register(self, agency: str, procedure: str, received: datetime) -> Any:
        self.count += 1
        self.province.clock.set(received)
        return await self.call(
            "POST",
            "/v1/dossiers",
            {
                "procedure_code": procedure,
                "agency_code": agency,
                "unit_code": f"{agency}.MC",
                "channel": "counter",
                "applicant": {"name": "Lê Thị Mai", "national_id": f"0251900{self.count:05d}"},
                "received_at": received.isoformat(),
            },
        )

    async def registered(self, agency: str, procedure: str, received: datetime) -> str:
        response = await self.register(agency, procedure, received)
        assert response.status_code == 201, response.text
        code: str = response.json()["code"]
        return code


async def tracking_get(province: Any, path: str) -> Any:
    return await province.clients["tracking"].get(
        path, headers={"Authorization": "Bearer cross-service-operator-token"}
    )


async def report(province: Any, scope: str, period: str) -> dict[str, Any]:
    response = await province.clients["scoring"].get(
        "/v1/indicators", params={"scope": scope, "period": period}
    )
    assert response.status_code == 200, response.text
    item: dict[str, Any] = response.json()["items"][0]
    return item


async def office(province: Any, code: str, hours: list[list[str]]) -> dict[str, Any]:
    """Tracking's view of an agency once it uses these office hours, as published (its
    calendar may take them a moment before its record of the agency says so)."""

    async def found() -> dict[str, Any] | None:
        response = await tracking_get(province, f"/v1/agencies/{code}")
        view: dict[str, Any] = response.json()
        published = view["office_hours"] == hours and view["source"] == "published"
        return view if published else None

    result: dict[str, Any] = await province.eventually(found)
    return result


async def test_a_new_agency_and_unit_are_named_in_scoring_and_tracking(province) -> None:
    admin = Admin(province)
    created = await admin.put("XATHANH", commune("Xã An Thạnh", "XATHANH"))
    assert created["revision"] == 1
    code = await admin.registered("XATHANH", THREE_DAYS, at("2026-06-01T09:00:00"))

    async def named(scope: str) -> dict[str, Any] | None:
        item = await report(province, scope, "2026-06-01")
        return item if item["name"] and item["figures"]["received"] == 1 else None

    assert (await province.eventually(lambda: named("agency:XATHANH")))["name"] == "Xã An Thạnh"
    unit = await province.eventually(lambda: named("unit:XATHANH.MC"))
    assert unit["name"] == "Bộ phận một cửa Xã An Thạnh"

    renamed = await admin.put("XATHANH", {**commune("Phường An Thạnh", "XATHANH")})
    assert renamed["revision"] == 2

    async def looked_up() -> dict[str, Any] | None:
        view: dict[str, Any] = (await tracking_get(province, f"/v1/dossiers/{code}")).json()
        return view if view.get("agency_name") == "Phường An Thạnh" else None

    assert (await province.eventually(looked_up))["agency_code"] == "XATHANH"
    renamed_in_scoring = await province.eventually(
        lambda: _named_as(province, "agency:XATHANH", "Phường An Thạnh")
    )
    assert renamed_in_scoring["figures"]["received"] == 1


async def _named_as(province: Any, scope: str, name: str) -> dict[str, Any] | None:
    item = await report(province, scope, "2026-06-01")
    return item if item["name"] == name else None


async def test_a_new_dossier_follows_the_agency_s_changed_office_hours(province) -> None:
    admin = Admin(province)
    early = [["07:00", "11:00"], ["13:00", "17:00"]]
    await admin.put("XAHOA", commune("Xã Hòa Bình", "XAHOA", early))
    seen = await office(province, "XAHOA", early)
    assert seen["source"] == "published" and seen["name"] == "Xã Hòa Bình"
    first = await admin.registered("XAHOA", WITHIN_HOURS, at("2026-06-01T10:00:00"))
    (deadline,) = await province.tracking_events(first, "tracking.deadline-set")
    # 10:00–11:00, then 13:00–16:00: four office hours.
    assert deadline.data.appointment_at == at("2026-06-01T16:00:00")

    usual = [["07:30", "11:30"], ["13:00", "17:00"]]
    await admin.put("XAHOA", commune("Xã Hòa Bình", "XAHOA", usual))
    await office(province, "XAHOA", usual)
    second = await admin.registered("XAHOA", WITHIN_HOURS, at("2026-06-02T10:00:00"))
    (deadline,) = await province.tracking_events(second, "tracking.deadline-set")
    # 10:00–11:30, then 13:00–15:30.
    assert deadline.data.appointment_at == at("2026-06-02T15:30:00")


async def test_a_merge_of_two_communes_keeps_both_histories_exact(province) -> None:
    admin = Admin(province)
    await admin.put("XADONG", commune("Xã Đông Thành", "XADONG"))
    await admin.put("XATAY", commune("Xã Tây Thành", "XATAY"))
    await admin.registered("XADONG", THREE_DAYS, at("2026-06-01T09:00:00"))
    await admin.registered("XADONG", THREE_DAYS, at("2026-06-02T09:00:00"))
    await admin.registered("XATAY", THREE_DAYS, at("2026-06-01T10:00:00"))

    province.clock.set(at("2026-06-02T17:30:00"))
    response = await admin.call(
        "POST", "/v1/agencies/XADONG/merge", {"into": "XATAY", "on": "2026-06-03"}
    )
    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["absorbed"]["merged_into"] == "XATAY"
    assert merged["absorbed"]["retired_at"] == "2026-06-03T00:00:00+07:00"

    after = await admin.registered("XATAY", THREE_DAYS, at("2026-06-03T09:00:00"))
    assert after.startswith("XATAY-260603-")
    refused = await admin.register("XADONG", THREE_DAYS, at("2026-06-03T09:30:00"))
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "agency_retired"
    assert "merged into XATAY" in problem["detail"]

    async def counted() -> dict[str, Any] | None:
        item = await report(province, "agency:XATAY", "2026-06")
        return item if item["figures"]["received"] == 2 and item["name"] else None

    province.clock.set(at("2026-06-03T10:00:00"))
    month = (await province.eventually(counted))["figures"]
    # The new office from the merge date: its own two dossiers, and the absorbed
    # commune's two open ones carried over into it on 03/06.
    assert (month["received"], month["carried_over"], month["in_progress"]) == (2, 2, 4)
    day = (await report(province, "agency:XATAY", "2026-06-03"))["figures"]
    assert (day["received"], day["carried_over"], day["in_progress"]) == (1, 3, 4)
    before = (await report(province, "agency:XATAY", "2026-06-01..2026-06-02"))["figures"]
    assert (before["received"], before["in_progress"]) == (1, 1)
    # The absorbed commune's own figures still answer, before the merge and after.
    old = await report(province, "agency:XADONG", "2026-06-01..2026-06-02")
    assert old["name"] == "Xã Đông Thành"
    assert (old["figures"]["received"], old["figures"]["in_progress"]) == (2, 2)
    province_day = (await report(province, "province:all", "2026-06-03"))["figures"]
    assert (province_day["received"], province_day["in_progress"]) == (1, 4)
