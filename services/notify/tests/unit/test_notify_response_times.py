"""The delivery log renders its times in Vietnam time (+07:00), not as the database read them."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from motcua_notify.entrypoints.http.notifications import NotificationOut, NotificationPage


def test_the_delivery_log_shows_its_times_in_vietnam_time() -> None:
    at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    row = NotificationOut(
        id=uuid4(),
        dossier_code="STP-261120-0001",
        agency_code="STP",
        agency_name=None,
        unit_code=None,
        unit_name=None,
        audience="citizen",
        message_type="dossier_received",
        channel="email",
        status="delivered",
        reason=None,
        recipient="a***@example.vn",
        template_version=1,
        attempts=1,
        not_before=at,
        created_at=at,
        sent_at=at,
        delivered_at=at,
        failed_at=None,
        body_purged=False,
    )
    rendered = NotificationPage(items=[row]).model_dump(mode="json")["items"][0]
    times = [rendered[name] for name in ("not_before", "created_at", "sent_at", "delivered_at")]
    assert times == ["2026-11-20T08:00:00+07:00"] * 4
