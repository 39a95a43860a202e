"""The dashboard's scope picker and list of resolved dossiers, in real headless
Chromium: the picker names the agencies and units intake published (codes where none is
known), and a drill-down level lists the dossiers it resolved in the period by category,
as many in each as the figures count."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import scoring_province as province
from playwright.async_api import Page, async_playwright, expect

from motcua.events import AgencyUnit, AgencyUpdated, Envelope
from motcua.testing.database import absorbed_at
from motcua_scoring.domain.resolved import RESOLVED_CATEGORIES

pytestmark = pytest.mark.infra

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
STP_NAME = "Sở Tư pháp tỉnh Phú Thọ"
UNIT_NAMES = {"A": "Bộ phận Một cửa Sở Tư pháp", "B": "Phòng Hành chính tư pháp"}
SHOWN = [c for c in RESOLVED_CATEGORIES if c != "resolved_late"]
"""The categories the page offers (late is split by the apology)."""


async def shot(page: Page, tmp_path: Path, name: str) -> None:
    """Screenshots are kept as the test's artefacts, in its temporary folder."""
    await page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def stp_named(at: datetime) -> Envelope:
    data = AgencyUpdated(
        code="STP",
        name=STP_NAME,
        level="province",
        kind="department",
        units=tuple(
            AgencyUnit(code=code, name=name, role="one_stop" if code == "A" else "specialist")
            for code, name in UNIT_NAMES.items()
        ),
    )
    return Envelope.wrap(
        data, producer="intake", occurred_at=at, now=at, dossier_code=None, agency_code="STP"
    )


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
async def service(scoring_settings, start_scoring, script, publish, scoring_db, wait_until, topics):
    settings = await scoring_settings()
    running = await start_scoring(settings)
    province.write(script)
    province.write_resolutions(script)
    await script.publish(publish)
    await publish(topics.agencies, stp_named(province.local(10, 1)))

    async def absorbed() -> bool:
        url = settings.database.url
        events = await absorbed_at(url)
        dossiers = await scoring_db(
            url, "SELECT count(*) FROM dossier_facts WHERE facts IS NOT NULL"
        )
        named = await scoring_db(url, "SELECT count(*) FROM agencies")
        return (
            events >= len(script.envelopes) + 1
            and dossiers[0][0] >= province.DOSSIERS + 3
            and named[0][0] == 1
        )

    await wait_until(absorbed, what="the province and its names absorbed")
    return running


async def api(service, path: str, **params) -> dict:
    async with httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        response = await client.get(path, params=params)
    response.raise_for_status()
    return response.json()


async def test_the_scope_picker_shows_names_and_codes_where_none_is_known(service, page, tmp_path):
    await page.goto(f"{service.url}/dashboard?scope=unit:B&period=2026-11")
    picker = page.locator("#scope")
    await expect(picker.locator('option[value="agency:STP"]')).to_have_text(f"{STP_NAME} (STP)")
    await expect(picker.locator('option[value="agency:SXD"]')).to_have_text("SXD")
    await expect(picker.locator('option[value="unit:A"]')).to_have_text(f"{UNIT_NAMES['A']} (A)")
    await expect(picker.locator('option[value="unit:SXD-1"]')).to_have_text("SXD-1")
    await expect(picker).to_have_value("unit:B")
    selected = picker.locator('option[value="unit:B"]')
    await expect(selected).to_have_text(f"{UNIT_NAMES['B']} (B)")
    await expect(picker.locator("optgroup")).to_have_count(2)
    await page.click("#lang")
    await expect(picker.locator('optgroup[data-group="groupUnits"]')).to_have_attribute(
        "label", "Units"
    )
    await expect(selected).to_have_text(f"{UNIT_NAMES['B']} (B)")

    await page.select_option("#scope", "agency:STP")
    await expect(page.locator('#trail button[data-scope="agency:STP"]')).to_have_text(
        f"{STP_NAME} (STP)"
    )
    assert "scope=agency%3ASTP" in page.url or "scope=agency:STP" in page.url
    await shot(page, tmp_path, "dashboard-picker")


async def test_a_level_lists_its_resolved_dossiers_as_many_as_the_figures(service, page, tmp_path):
    await page.goto(f"{service.url}/dashboard?period=2026-11")
    await page.click('#ranking tr[data-scope="agency:STP"]')
    await expect(page.locator("#trail button")).to_have_count(2)
    figures = (await api(service, "/v1/indicators", scope="agency:STP", period="2026-11"))["items"][
        0
    ]["figures"]
    assert figures["resolved_late_with_apology"] == 2
    assert figures["reappointments_kept"] == 1
    rows = page.locator("#resolved tr")
    await expect(rows).to_have_count(figures["resolved"])
    await expect(page.locator('#resolved-filters [data-count="all"]')).to_have_text(
        str(figures["resolved"])
    )
    for category in SHOWN:
        await page.check(f'input[name="resolved-category"][value="{category}"]')
        await expect(rows).to_have_count(figures[category])
        count = page.locator(f'#resolved-filters [data-count="{category}"]')
        await expect(count).to_have_text(str(figures[category]))
        for n in range(figures[category]):
            assert category in (await rows.nth(n).get_attribute("data-categories")).split()

    await page.check('input[name="resolved-category"][value="resolved_late_without_apology"]')
    late = page.locator(f'#resolved tr[data-code="{province.code(9)}"]')
    await expect(late).to_contain_text("Trễ hạn")
    await expect(late).to_contain_text("Không có")
    await page.check('input[name="resolved-category"][value="reappointments_kept"]')
    await expect(page.locator(f'#resolved tr[data-code="{province.KEPT}"]')).to_contain_text(
        "giữ hẹn"
    )
    await shot(page, tmp_path, "dashboard-resolved")

    await page.click('#report-body tr[data-scope="unit:A"]')
    await page.click("#report-body tr[data-scope='procedure:P-BIRTH']")
    await expect(page.locator("#trail button")).to_have_count(4)
    report = await api(service, "/v1/reports/progress", scope="unit:A", period="2026-11")
    row = next(r for r in report["rows"] if r["scope"] == "procedure:P-BIRTH")
    await page.check('input[name="resolved-category"][value="resolved_on_time"]')
    await expect(rows).to_have_count(row["values"]["resolved_on_time"])
    await page.check('input[name="resolved-category"][value="all"]')
    values = row["values"]
    resolved = values["resolved_early"] + values["resolved_on_time"] + values["resolved_late"]
    await expect(rows).to_have_count(resolved)
    await shot(page, tmp_path, "dashboard-resolved-procedure")
