"""Intake answers with its times in Vietnam time (+07:00), whatever offset the caller used."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.infra


async def test_a_dossier_shows_its_reception_in_vietnam_time(intake, registration):
    receipt = await intake.post("/v1/dossiers", registration(received_at="2026-11-19T23:30:00Z"))
    assert receipt.status_code == 201

    code = receipt.json()["code"]
    stored = await intake.client.get(f"/v1/dossiers/{code}", headers=intake.headers())
    assert stored.json()["received_at"] == "2026-11-20T06:30:00+07:00"
