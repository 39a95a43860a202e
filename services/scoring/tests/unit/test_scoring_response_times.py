"""Scoring's lists render their times in Vietnam time (+07:00), not as the database read them."""

from __future__ import annotations

from datetime import UTC, datetime

from motcua.verdicts import Granularity
from motcua_scoring.adapters.open_dossiers import OpenDossier
from motcua_scoring.service.reading import _open_json


def test_an_open_dossier_shows_its_times_in_vietnam_time() -> None:
    row = OpenDossier(
        code="STP-261120-0001",
        agency="STP",
        unit="STP.MC",
        procedure="2.001417",
        received_at=datetime(2026, 11, 19, 23, 30, tzinfo=UTC),
        due_at=datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
        due_soon_for=None,
        overdue_for=None,
    )
    rendered = _open_json(row, datetime(2026, 11, 20, 2, 0, tzinfo=UTC), Granularity.EXACT)
    assert rendered["received_at"] == "2026-11-20T06:30:00+07:00"
    assert rendered["due_at"] == "2026-12-04T17:00:00+07:00"
