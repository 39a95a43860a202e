"""Without a clock from its caller, intake runs on the clock of its settings (the demo's)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import httpx

from motcua.clock import ClockSettings
from motcua_intake.app import create_app

VIETNAM = timezone(timedelta(hours=7))
START = datetime(2026, 6, 1, 9, 0, tzinfo=VIETNAM)


async def test_a_simulated_clock_from_the_settings_judges_reported_times(
    intake_settings, registration
) -> None:
    clock = ClockSettings(
        mode="simulated", start=START, speed=1, anchor=time.time(), environment="demo"
    )
    app = create_app(intake_settings(clock=clock))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            headers = {"X-API-Key": "test-stp-key-0000000000000000"}

            async def register(received: datetime) -> httpx.Response:
                body = registration(received_at=received.isoformat())
                return await client.post("/v1/dossiers", json=body, headers=headers)

            assert (await register(START - timedelta(minutes=30))).status_code == 201
            late = await register(START + timedelta(days=1))
            assert late.status_code == 422
            assert late.json()["code"] == "time_in_future"
