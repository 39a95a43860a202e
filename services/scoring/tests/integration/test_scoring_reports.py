"""The periodic progress report on the real stack: its JSON equals `/v1/indicators`, and
its XLSX and CSV exports, read back, hold the JSON's numbers in the provinces' layout."""

from __future__ import annotations

import csv
import io

import pytest
import scoring_province as province
from openpyxl import load_workbook

from motcua.testing.database import absorbed_at
from motcua_scoring.domain.reports import REPORT_COLUMNS

pytestmark = pytest.mark.infra

KEYS = [c.key for c in REPORT_COLUMNS]
FIRST_ROW = 7


def expected_values(figures: dict) -> dict:
    """The report's columns as `/v1/indicators` names them."""
    values = {key: figures[key] for key in KEYS if key != "total"}
    values["total"] = figures["received"] + figures["carried_over"]
    return values


@pytest.fixture
async def service(scoring_settings, start_scoring, script, publish, scoring_db, wait_until):
    settings = await scoring_settings()
    running = await start_scoring(settings)
    province.write(script)
    await script.publish(publish)

    async def absorbed() -> bool:
        events = await absorbed_at(settings.database.url)
        dossiers = await scoring_db(
            settings.database.url, "SELECT count(*) FROM dossier_facts WHERE facts IS NOT NULL"
        )
        return events >= len(script.envelopes) and dossiers[0][0] >= province.DOSSIERS

    await wait_until(absorbed, what="the province absorbed")
    return running


async def get(service, path: str, **params):
    async with service.client() as client:
        return await client.get(path, params=params)


async def figures_of(service, scopes: list[str], period: str) -> dict[str, dict]:
    async with service.client() as client:
        response = await client.get(
            "/v1/indicators", params=[("period", period), *(("scope", s) for s in scopes)]
        )
    response.raise_for_status()
    return {item["scope"]: item["figures"] for item in response.json()["items"]}


async def test_the_province_report_equals_the_indicators_and_its_exports(service):
    response = await get(service, "/v1/reports/progress", scope="province:all", period="2026-11")
    assert response.status_code == 200
    report = response.json()
    assert [c["key"] for c in report["columns"]] == KEYS
    assert [r["scope"] for r in report["rows"]] == ["agency:STP", "agency:SXD"]
    assert report["title"] == "Tháng 11/2026 (01/11/2026 – 30/11/2026)"
    assert report["as_of"] == "2026-11-21"

    figures = await figures_of(service, ["province:all", "agency:SXD", "agency:STP"], "2026-11")
    for row in report["rows"]:
        assert row["values"] == expected_values(figures[row["scope"]]), row["scope"]
    assert report["total"] == expected_values(figures["province:all"])
    stp = report["rows"][0]["values"]
    # D1 carried over (received 31 Oct); D4 by post, overdue; D9 late without an apology.
    assert stp["carried_over"] == 2
    assert stp["received_postal"] == 1
    assert stp["in_progress_overdue"] == 1
    assert stp["resolved_late_without_apology"] == 1

    xlsx = await get(
        service, "/v1/reports/progress", scope="province:all", period="2026-11", format="xlsx"
    )
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "BÁO CÁO TÌNH HÌNH" in cells[0][0]
    assert "Toàn tỉnh" in cells[1][0]
    assert "Tháng 11/2026" in cells[2][0]
    assert cells[4][:3] == ["STT", "Cơ quan", "Tổng số"]
    assert cells[5][:3] == ["No.", "Agency", "Total"]
    body = cells[FIRST_ROW - 1 :]
    assert [row[0] for row in body[:-1]] == [1, 2]
    assert [row[1] for row in body[:-1]] == ["STP", "SXD"]
    for row, line in zip(report["rows"], body, strict=False):
        assert dict(zip(KEYS, line[2:], strict=True)) == row["values"]
    assert "Tổng cộng" in body[-1][1]
    assert dict(zip(KEYS, body[-1][2:], strict=True)) == report["total"]

    text = await get(
        service, "/v1/reports/progress", scope="province:all", period="2026-11", format="csv"
    )
    assert text.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert lines[4][:2] == ["STT", "Cơ quan"]
    for row, line in zip(report["rows"], lines[FIRST_ROW - 1 :], strict=False):
        assert dict(zip(KEYS, map(int, line[2:]), strict=True)) == row["values"]
    assert dict(zip(KEYS, map(int, lines[-1][2:]), strict=True)) == report["total"]


async def test_an_agency_reports_by_unit_and_by_procedure(service):
    response = await get(service, "/v1/reports/progress", scope="agency:STP", period="2026-Q4")
    report = response.json()
    assert report["by"] == "unit"
    assert [r["scope"] for r in report["rows"]] == ["unit:A", "unit:B"]
    figures = await figures_of(service, ["unit:A", "unit:B", "agency:STP"], "2026-Q4")
    for row in report["rows"]:
        assert row["values"] == expected_values(figures[row["scope"]]), row["scope"]
    assert report["total"] == expected_values(figures["agency:STP"])

    by_procedure = await get(
        service, "/v1/reports/progress", scope="agency:SXD", by="procedure", period="2026-11"
    )
    rows = by_procedure.json()["rows"]
    assert [r["scope"] for r in rows] == ["procedure:P-BUILD"]
    assert rows[0]["values"]["resolved_on_time"] == 1


async def test_a_week_and_a_range_are_periods_and_bad_requests_are_refused(service):
    week = await get(service, "/v1/reports/progress", period="2026-W47")
    assert week.json()["first"] == "2026-11-16"
    assert week.json()["last"] == "2026-11-22"
    assert week.json()["as_of"] == "2026-11-21"

    ranged = await get(
        service, "/v1/reports/progress", **{"from": "2026-11-01", "to": "2026-11-10"}
    )
    assert ranged.json()["title"] == "Từ ngày 01/11/2026 đến ngày 10/11/2026"

    wrong = await get(service, "/v1/reports/progress", scope="agency:STP", by="agency")
    assert wrong.status_code == 422
    assert wrong.headers["content-type"].startswith("application/problem+json")
    two = await get(service, "/v1/reports/progress", period=["2026-10", "2026-11"])
    assert two.status_code == 422
