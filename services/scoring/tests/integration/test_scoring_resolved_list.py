"""The list of resolved dossiers on the real stack: for every scope and period, each
category lists as many dossiers as the figure of the same name in `/v1/indicators` and
in the progress report (tiles, report and list read one definition)."""

from __future__ import annotations

import pytest
import scoring_province as province

from motcua.testing.database import absorbed_at
from motcua_scoring.domain.resolved import RESOLVED_CATEGORIES

pytestmark = pytest.mark.infra


@pytest.fixture
async def service(scoring_settings, start_scoring, script, publish, scoring_db, wait_until):
    settings = await scoring_settings()
    running = await start_scoring(settings)
    province.write(script)
    province.write_resolutions(script)
    await script.publish(publish)

    async def absorbed() -> bool:
        events = await absorbed_at(settings.database.url)
        dossiers = await scoring_db(
            settings.database.url, "SELECT count(*) FROM dossier_facts WHERE facts IS NOT NULL"
        )
        return events >= len(script.envelopes) and dossiers[0][0] >= province.DOSSIERS + 3

    await wait_until(absorbed, what="the province absorbed")
    return running


async def get(service, path: str, **params) -> dict:
    async with service.client() as client:
        response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


SCOPES = ["province:all", "agency:STP", "agency:SXD", "unit:A", "unit:B", "procedure:P-BIRTH"]
PERIODS = ["2026-11", "2026-10", "2026-Q4", "2026-W47", "2026-11-20"]


async def test_each_category_lists_as_many_dossiers_as_its_figure(service):
    seen: set[str] = set()
    for scope in SCOPES:
        for period in PERIODS:
            figures = (await get(service, "/v1/indicators", scope=scope, period=period))["items"][
                0
            ]["figures"]
            every = await get(service, "/v1/resolved-dossiers", scope=scope, period=period)
            assert every["counts"] == {c: figures[c] for c in RESOLVED_CATEGORIES}, (scope, period)
            assert every["total"] == figures["resolved"] == len(every["items"]), (scope, period)
            for category in RESOLVED_CATEGORIES:
                listed = await get(
                    service,
                    "/v1/resolved-dossiers",
                    scope=scope,
                    period=period,
                    category=category,
                )
                codes = [item["code"] for item in listed["items"]]
                assert len(codes) == figures[category], (scope, period, category)
                assert all(category in item["categories"] for item in listed["items"])
                seen.update(codes if figures[category] else ())
    assert {province.LATE_APOLOGISED, province.KEPT, province.BROKEN, province.code(9)} <= seen


async def test_the_list_matches_the_progress_report_rows(service):
    report = await get(service, "/v1/reports/progress", scope="agency:STP", period="2026-11")
    for row in [*report["rows"], {"scope": "agency:STP", "values": report["total"]}]:
        listed = await get(service, "/v1/resolved-dossiers", scope=row["scope"], period="2026-11")
        for key in ("resolved_early", "resolved_on_time"):
            assert listed["counts"][key] == row["values"][key], (row["scope"], key)
        for key in ("resolved_late_with_apology", "resolved_late_without_apology"):
            assert listed["counts"][key] == row["values"][key], (row["scope"], key)


async def test_an_item_says_what_the_verdict_found(service):
    kept = await get(
        service,
        "/v1/resolved-dossiers",
        scope="agency:STP",
        period="2026-11",
        category="reappointments_kept",
    )
    [item] = kept["items"]
    assert item["code"] == province.KEPT
    assert item["verdict"] == "late"
    assert item["apology"] == "in_time"
    assert item["reappointment_kept"] is True
    assert item["new_appointment_at"] == "2026-11-18T17:00:00+07:00"
    assert item["reappointed_to"] == item["new_appointment_at"]  # its former name
    assert item["resolved_at"] == "2026-11-18T10:00:00+07:00"
    assert item["categories"] == [
        "resolved_late",
        "resolved_late_with_apology",
        "reappointments_kept",
    ]
    late = await get(
        service,
        "/v1/resolved-dossiers",
        scope="province:all",
        period="2026-11",
        category="resolved_late_without_apology",
    )
    assert [i["code"] for i in late["items"]] == [province.code(9)]


async def test_bad_requests_are_refused(service):
    async with service.client() as client:
        unknown = await client.get("/v1/resolved-dossiers", params={"category": "late"})
        two = await client.get(
            "/v1/resolved-dossiers", params=[("period", "2026-10"), ("period", "2026-11")]
        )
        channel = await client.get("/v1/resolved-dossiers", params={"scope": "channel:counter"})
    for response in (unknown, two, channel):
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_lists_need_an_official_and_the_figures_stay_public(service):
    async with service.public_client() as client:
        figures = await client.get("/v1/indicators", params={"scope": "agency:STP"})
        listed = await client.get("/v1/resolved-dossiers", params={"scope": "agency:STP"})
        still_open = await client.get("/v1/open-dossiers", params={"scope": "agency:STP"})
    assert figures.status_code == 200
    assert listed.status_code == still_open.status_code == 401
