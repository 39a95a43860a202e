"""A province's past through intake: history is judged at its own time."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.infra

RECEIVED_2019 = "2019-01-29T09:00:00+07:00"  # a Tuesday, a week before Tết Kỷ Hợi


async def test_a_2019_dossier_and_its_apology_are_accepted(intake, registration) -> None:
    response = await intake.post("/v1/dossiers", registration(received_at=RECEIVED_2019))
    assert response.status_code == 201, response.text
    code = response.json()["code"]
    assert code.startswith("STP-190129-")
    apology = {
        "unit_code": "STP.HCTP",
        "reason": "Chờ xác minh",
        "filed_at": "2019-02-12T10:00:00+07:00",
        "new_appointment_at": "2019-02-20T17:00:00+07:00",
    }
    filed = await intake.post(f"/v1/dossiers/{code}/apology", apology)
    assert filed.status_code == 201, filed.text
    record = filed.json()["record"]
    assert record["occurred_at"].startswith("2019-02-12T10:00:00")
    assert record["data"]["new_appointment_at"] == "2019-02-20T17:00:00+07:00"


async def test_a_past_apology_needs_an_appointment_after_its_own_time(intake, registration) -> None:
    code = (await intake.post("/v1/dossiers", registration(received_at=RECEIVED_2019))).json()[
        "code"
    ]
    apology = {
        "unit_code": "STP.HCTP",
        "reason": "r",
        "filed_at": "2019-02-12T10:00:00+07:00",
        "new_appointment_at": "2019-02-11T17:00:00+07:00",
    }
    response = await intake.post(f"/v1/dossiers/{code}/apology", apology)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["pointer"], error["code"]) == ("/new_appointment_at", "appointment_not_in_future")
    assert "2019-02-12T10:00:00+07:00" in error["detail"]


async def test_only_the_genuinely_future_is_refused(intake, registration) -> None:
    code = (await intake.post("/v1/dossiers", registration(received_at=RECEIVED_2019))).json()[
        "code"
    ]
    ahead = intake.clock.now().replace(year=intake.clock.now().year + 1)
    apology = {
        "unit_code": "STP.HCTP",
        "reason": "r",
        "filed_at": ahead.isoformat(),
        "new_appointment_at": ahead.replace(month=12, day=31).isoformat(),
    }
    response = await intake.post(f"/v1/dossiers/{code}/apology", apology)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "time_in_future"
    assert response.json()["errors"][0]["pointer"] == "/filed_at"


async def test_a_birth_year_is_judged_against_the_reception_s_year(intake, registration) -> None:
    born_2020 = {
        "name": "Nguyễn Văn Bình",
        "national_id": "025220000123",
        "consent": {},
    }
    then = await intake.post(
        "/v1/dossiers", registration(received_at=RECEIVED_2019, applicant=born_2020)
    )
    assert then.status_code == 422
    assert then.json()["errors"][0]["pointer"] == "/applicant/national_id"
    now = await intake.post("/v1/dossiers", registration(applicant=born_2020))
    assert now.status_code == 201, now.text


async def test_a_time_before_the_covered_years_names_them(intake, registration) -> None:
    response = await intake.post(
        "/v1/dossiers", registration(received_at="2014-12-31T09:00:00+07:00")
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["pointer"], error["code"]) == ("/received_at", "time_too_early")
    assert "2015–2035" in error["detail"]
