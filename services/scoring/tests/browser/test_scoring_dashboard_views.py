"""The dashboard's views for heads of office, in real headless Chromium: a period picker
with the previous period beside each tile, every Decision 766 group with its components,
a drill-down from the province to an agency, a unit, a procedure and its dossiers, the
report downloaded as a workbook equal to the API's numbers, and ranking ties shown."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import httpx
import pytest
import scoring_province as province
from openpyxl import load_workbook
from playwright.async_api import Page, async_playwright, expect

from motcua.events import Verdict
from motcua.testing.database import absorbed_at
from motcua_scoring.domain.reports import REPORT_COLUMNS

pytestmark = pytest.mark.infra

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


async def shot(page: Page, tmp_path: Path, name: str) -> None:
    """Screenshots are kept as the test's artefacts, in its temporary folder."""
    await page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


@pytest.fixture
async def page(tmp_path):
    if not await asyncio.to_thread(Path(CHROMIUM).exists):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            locale="vi-VN",
            accept_downloads=True,
        )
        # An official's tab: the token the dossier lists ask for is already given.
        await context.add_init_script(
            f"sessionStorage.setItem('motcua.scoring.officialToken', '{province.OFFICIAL_TOKEN}')"
        )
        try:
            yield await context.new_page()
        finally:
            await context.close()


@pytest.fixture
async def service(scoring_settings, start_scoring, script, publish, scoring_db, wait_until):
    settings = await scoring_settings()
    running = await start_scoring(settings)
    province.write(script)
    # One more agency with one dossier resolved on time: the same rate and volume as SXD.
    script.received("SAA-261105-0001", province.local(11, 5), agency="SAA", unit="SAA-1")
    script.deadline("SAA-261105-0001", province.local(11, 5), province.local(11, 10, 17), "SAA")
    script.finished("SAA-261105-0001", province.local(11, 9), agency="SAA")
    script.verdict("SAA-261105-0001", province.local(11, 9, 18), Verdict.ON_TIME, 2, agency="SAA")
    await script.publish(publish)

    async def absorbed() -> bool:
        events = await absorbed_at(settings.database.url)
        dossiers = await scoring_db(
            settings.database.url, "SELECT count(*) FROM dossier_facts WHERE facts IS NOT NULL"
        )
        return events >= len(script.envelopes) and dossiers[0][0] > province.DOSSIERS

    await wait_until(absorbed, what="the province absorbed")
    return running


async def api(service, path: str, **params) -> dict:
    async with httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        response = await client.get(path, params=params)
    response.raise_for_status()
    return response.json()


async def test_a_period_is_picked_and_compared_with_the_one_before(service, page, tmp_path):
    await page.goto(f"{service.url}/dashboard?scope=agency:STP&period=month")
    await expect(page.locator("#period-title")).to_have_text("Tháng 11/2026")
    await expect(page.locator("#previous-title")).to_have_text("Tháng 10/2026")

    await page.select_option("#period-kind", "month")
    await page.fill("#period-day", "2026-10-15")
    await page.dispatch_event("#period-day", "change")
    await expect(page.locator("#period-title")).to_have_text("Tháng 10/2026")
    await expect(page.locator("#previous-title")).to_have_text("Tháng 09/2026")
    assert "period=2026-10" in page.url
    october = await api(service, "/v1/indicators", scope="agency:STP", period="2026-10")
    september = await api(service, "/v1/indicators", scope="agency:STP", period="2026-09")
    received = october["items"][0]["figures"]["received"]
    before = september["items"][0]["figures"]["received"]
    assert received != before, "the comparison must show a change"
    await expect(page.locator("#received")).to_have_text(str(received))
    arrow = "▲" if received > before else "▼"
    await expect(page.locator("#received-delta")).to_have_text(f"{arrow} Kỳ trước: {before}")

    await page.select_option("#period-kind", "week")
    await page.fill("#period-day", "2026-11-18")
    await page.dispatch_event("#period-day", "change")
    await expect(page.locator("#period-title")).to_have_text("16/11/2026 – 22/11/2026")
    await expect(page.locator("#previous-title")).to_have_text("09/11/2026 – 15/11/2026")
    assert "period=2026-W47" in page.url

    await page.select_option("#period-kind", "range")
    await page.fill("#period-day", "2026-11-01")
    await page.fill("#period-to", "2026-11-10")
    await page.dispatch_event("#period-to", "change")
    await expect(page.locator("#previous-title")).to_have_text("22/10/2026 – 31/10/2026")
    await shot(page, tmp_path, "dashboard-period")


async def test_every_decision_766_group_shows_its_components(service, page, tmp_path):
    await page.goto(f"{service.url}/dashboard?scope=agency:STP&period=2026-11")
    body = await api(service, "/v1/indicators", scope="agency:STP", period="2026-11")
    groups = body["items"][0]["decision766"]["groups"]
    await expect(page.locator("#groups766 article")).to_have_count(len(groups))
    for group in groups:
        rows = page.locator(f'#groups766 article[data-group="{group["name"]}"] tr')
        await expect(rows).to_have_count(len(group["components"]))
    progress = page.locator('#groups766 tr[data-component="2.1"]')
    await expect(progress).to_contain_text("12 / 20")
    transparency = page.locator('#groups766 tr[data-component="1.1"]')
    await expect(transparency).to_contain_text("Không tính được")
    await shot(page, tmp_path, "dashboard-766")


async def test_drill_down_to_a_procedures_dossiers_and_download_the_report(service, page, tmp_path):
    await page.goto(f"{service.url}/dashboard?period=2026-11")
    await page.click('#ranking tr[data-scope="agency:STP"]')
    await expect(page.locator("#trail button")).to_have_count(2)
    await expect(page.locator("#report-body tr")).to_have_count(2)  # units A and B
    report = await api(service, "/v1/reports/progress", scope="agency:STP", period="2026-11")
    unit_a = next(r for r in report["rows"] if r["scope"] == "unit:A")
    overdue = page.locator('#report-body tr[data-scope="unit:A"] td').nth(
        1 + len(REPORT_COLUMNS) - 1
    )
    await expect(overdue).to_have_text(str(unit_a["values"]["in_progress_overdue"]))

    async with page.expect_download() as downloading:
        await page.click("#report-xlsx")
    download = await downloading.value
    content = await asyncio.to_thread(Path(await download.path()).read_bytes)
    sheet = load_workbook(io.BytesIO(content)).active
    lines = [list(row) for row in sheet.iter_rows(min_row=7, values_only=True)]
    keys = [c.key for c in REPORT_COLUMNS]
    assert [dict(zip(keys, line[2:], strict=True)) for line in lines[:-1]] == [
        r["values"] for r in report["rows"]
    ]
    assert dict(zip(keys, lines[-1][2:], strict=True)) == report["total"]

    await page.click('#report-body tr[data-scope="unit:A"]')
    await expect(page.locator("#report-body tr[data-scope='procedure:P-BIRTH']")).to_have_count(1)
    await page.click("#report-body tr[data-scope='procedure:P-BIRTH']")
    await expect(page.locator("#trail button")).to_have_count(4)
    overdue_row = page.locator(f'#dossiers tr[data-code="{province.code(4)}"]')
    await expect(overdue_row).to_have_attribute("data-state", "overdue")
    await page.check('input[name="dossier-state"][value="due_soon"]')
    await expect(overdue_row).to_have_count(0)
    await shot(page, tmp_path, "dashboard-drill")

    await page.click('#trail button[data-scope="province:all"]')
    await expect(page.locator("#report-body tr")).to_have_count(3)  # SAA, STP, SXD


async def test_ties_are_ranked_by_volume_and_shown(service, page, tmp_path):
    await page.goto(f"{service.url}/dashboard?period=2026-11")
    ranking = await api(service, "/v1/rankings", period="2026-11")
    tied = [i for i in ranking["items"] if i["tied"]]
    assert {i["code"] for i in tied} == {"SAA", "SXD"}
    for item in ranking["items"]:
        first = page.locator(f'#ranking tr[data-scope="{item["scope"]}"] td').first
        expected = f"={item['rank']}" if item["tied"] else str(item["rank"])
        await expect(first).to_have_text(expected)
    await expect(page.locator("#ranking-note")).to_be_visible()
    await shot(page, tmp_path, "dashboard-ties")
