"""Look-ups render their times in Vietnam time (+07:00), whatever zone they were read in."""

from __future__ import annotations

from datetime import UTC, datetime

from motcua_tracking.domain import DossierStatus
from motcua_tracking.service.views import CitizenView, StatusView


def test_a_citizen_look_up_shows_its_times_in_vietnam_time() -> None:
    view = CitizenView(
        code="STP-261120-0001",
        status=StatusView.of(DossierStatus(2)),
        procedure_name="Cấp phép",
        received_at=datetime(2026, 11, 19, 23, 30, tzinfo=UTC),
        appointment_at=datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
        new_appointment_at=None,
        awaiting_supplement=False,
        standing="within_deadline",
        apology=None,
        finished_at=None,
    )
    rendered = view.model_dump(mode="json")
    assert rendered["received_at"] == "2026-11-20T06:30:00+07:00"
    assert rendered["appointment_at"] == "2026-12-04T17:00:00+07:00"
    assert view.model_dump_json().count("+07:00") == 2
