"""The daily digest goes once per unit per day, even across a restart."""

import asyncio
from datetime import UTC, datetime

import pytest
from notify_harness import mails, plain_text
from notify_scenario import (
    applicant,
    deadline_set,
    dossier_code,
    overdue,
    received,
    transferred,
)

from motcua.clock import ManualClock
from motcua.testing import eventually
from motcua_notify.settings import DigestSettings

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]
BEFORE_DIGEST = datetime(2026, 11, 20, 0, 20, tzinfo=UTC)  # 07:20 in Hà Nội


async def test_a_units_digest_is_sent_once_a_day(
    notify_settings, topics, start_notify, publish, smtp_server, client
):
    settings = notify_settings.model_copy(
        update={"digest": DigestSettings(enabled=True, check_seconds=0.1)}
    )
    clock = ManualClock(BEFORE_DIGEST)
    first = await start_notify(settings, clock=clock)
    late, fine = dossier_code(), dossier_code()
    for code in (late, fine):
        await publish(topics.applicants, applicant(code, consent=()))
        await publish(topics.dossier_events, received(code), transferred(code))
        await publish(topics.tracking_events, deadline_set(code))
    await publish(topics.tracking_events, overdue(late))

    async def overdue_alert():
        return [m for m in mails(smtp_server) if m["Subject"].startswith("[Quá hạn]")] or None

    await eventually(overdue_alert)
    clock.advance(minutes=15)

    async def digest():
        return [m for m in mails(smtp_server) if m["Subject"].startswith("Tổng hợp")] or None

    [sent] = await eventually(digest)
    assert sent["To"] == "stp-hctp@phutho.example"
    assert "2 đang xử lý, 1 quá hạn" in sent["Subject"]
    assert f"{late} – Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in plain_text(sent)
    assert "QUÁ HẠN" in plain_text(sent)

    await first.stop()
    await start_notify(settings, clock=clock)
    clock.advance(hours=3)
    await asyncio.sleep(1.0)
    assert len([m for m in mails(smtp_server) if m["Subject"].startswith("Tổng hợp")]) == 1
