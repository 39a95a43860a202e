"""`/v1/sync/{code}` renders its times in Vietnam time (+07:00)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from motcua_portal.entrypoints.http import sync_state


class _Operations:
    async def sync_state(self, code: str) -> dict[str, Any]:
        at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
        return {"code": code, "received_at": at, "steps": [{"sent_at": at}], "acked_at": None}


async def test_a_sync_state_shows_its_times_in_vietnam_time() -> None:
    state = await sync_state("STP-261120-0001", _Operations(), "official")  # type: ignore[arg-type]
    assert state["received_at"].isoformat() == "2026-11-20T08:00:00+07:00"
    assert state["steps"][0]["sent_at"].isoformat().endswith("+07:00")
    assert state["acked_at"] is None
