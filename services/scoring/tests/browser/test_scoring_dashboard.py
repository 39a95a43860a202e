"""The live dashboard in real headless Chromium: numbers appear, change when events
arrive without a reload, the page reads on a phone and switches to English."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import scoring_province as province
from playwright.async_api import Dialog, Page, async_playwright, expect

from motcua.testing.database import absorbed_at

pytestmark = pytest.mark.infra

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("SCORING_SCREENSHOTS")


async def shot(page: Page, tmp_path: Path, name: str) -> None:
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture
async def browser_context(tmp_path, chromium):
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium,
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            locale="vi-VN",
        )
        try:
            yield context
        finally:
            await context.close()


async def test_the_dashboard_shows_live_numbers(
    scoring_settings,
    start_scoring,
    script,
    publish,
    wait_until,
    browser_context,
    tmp_path,
):
    settings = await scoring_settings()
    service = await start_scoring(settings)
    province.write(script)
    await script.publish(publish)

    async def absorbed() -> bool:
        return await absorbed_at(settings.database.url) >= len(script.envelopes)

    await wait_until(absorbed, what="the province absorbed")

    page = await browser_context.new_page()
    # The dossier lists ask an official for the token once (a 401), then keep it.
    asked: list[str] = []

    async def give_token(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept(province.OFFICIAL_TOKEN)

    page.on("dialog", give_token)
    await page.goto(f"{service.url}/dashboard?scope=agency:STP&period=month")
    await expect(page.locator("#received")).to_have_text("4")
    await expect(page.locator("#early")).to_have_text("1")
    await expect(page.locator("#late")).to_have_text("1")
    await expect(page.locator("#overdue")).to_have_text("1")
    await expect(page.locator("#late-no-apology")).to_have_text("1")  # D9
    await expect(page.locator("#late-with-apology")).to_have_text("0")
    await expect(page.locator("#reappointments")).to_have_text("0 / 0")
    await expect(page.locator("#on-time-rate")).to_contain_text("66,7")
    await expect(page.locator("#progress-score")).to_have_text("12")
    await expect(page.locator("#live")).to_have_text("Trực tuyến")
    overdue_row = page.locator(f'#watchlist tr[data-code="{province.code(4)}"]')
    await expect(overdue_row).to_contain_text("Quá hạn")
    assert len(asked) == 1 and "token" in asked[0]
    await expect(page.locator("#ranking tr")).to_have_count(2)
    await expect(page.locator("#ranking tr").first).to_contain_text("SXD")
    await shot(page, tmp_path, "dashboard-before")

    # New dossiers arrive while the page is open: the numbers move without a reload.
    script.intake.clear()
    script.tracking.clear()
    fresh = "STP-261121-0010"
    script.received(fresh, province.local(11, 21, 8))
    script.deadline(fresh, province.local(11, 21, 8), province.local(11, 21, 17))
    script.finished(province.code(4), province.local(11, 21, 9))
    script.verdict(province.code(4), province.local(11, 21, 9), province.Verdict.LATE, 7)
    await script.publish(publish)

    await expect(page.locator("#received")).to_have_text("5", timeout=10_000)
    await expect(page.locator("#late")).to_have_text("2")
    await expect(page.locator("#overdue")).to_have_text("0")
    await expect(page.locator("#late-with-apology")).to_have_text("1")  # D4 had one
    await expect(page.locator("#late-no-apology")).to_have_text("1")
    await expect(page.locator(f'#watchlist tr[data-code="{fresh}"]')).to_contain_text("Sắp đến hạn")
    await expect(page.locator("#trend-chart polyline.received")).to_have_count(1)
    await shot(page, tmp_path, "dashboard-after")

    await page.click("#lang")
    await expect(page.locator("h1")).to_have_text("Dossier handling indicators")
    await expect(page.locator(f'#watchlist tr[data-code="{fresh}"]')).to_contain_text("Due soon")

    phone = await browser_context.new_page()  # a tab of its own: asked once more
    phone.on("dialog", give_token)
    await phone.set_viewport_size({"width": 390, "height": 844})
    await phone.goto(f"{service.url}/dashboard?scope=agency:STP&period=today")
    await expect(phone.locator("#received")).to_have_text("1")
    await expect(phone.locator(f'#watchlist tr[data-code="{fresh}"]')).to_have_count(1)
    await expect(phone.locator("#ranking tr")).to_have_count(2)
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    await shot(phone, tmp_path, "dashboard-phone")
