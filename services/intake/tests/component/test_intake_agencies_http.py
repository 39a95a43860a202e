"""Agency administration over HTTP: a retirement's time is answered in +07:00, as every
other time intake returns, and the agency reads back retired."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.infra

ADMIN_KEY = "test-admin-key-000000000000"


async def test_a_retirement_is_answered_and_read_back_in_vietnam_time(intake):
    retired = await intake.client.post(
        "/v1/agencies/SXD/retire",
        json={"at": "2026-06-30T17:00:00Z"},
        headers=intake.headers(ADMIN_KEY),
    )
    read = await intake.client.get("/v1/agencies/SXD", headers=intake.headers())

    assert retired.status_code == 200, retired.text
    assert retired.json()["retired_at"] == "2026-07-01T00:00:00+07:00"
    assert read.json()["retired_at"] == "2026-07-01T00:00:00+07:00"
    again = await intake.client.post(
        "/v1/agencies/SXD/retire", json={}, headers=intake.headers(ADMIN_KEY)
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
