"""The dossier view follows when things happened, not when notify heard of them."""

from datetime import UTC, datetime, timedelta

import pytest
from notify_harness import READ, log_of, mails, sample
from notify_scenario import (
    APPOINTMENT,
    SPECIALISTS,
    applicant,
    deadline_set,
    dossier_code,
    due_soon,
    overdue,
    received,
    supplement_requested,
    transferred,
    wrap,
)

from motcua.clock import ManualClock
from motcua.events import DossierOverdue
from motcua.testing import eventually
from motcua_notify.settings import DigestSettings

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]
BEFORE_DIGEST = datetime(2026, 11, 20, 0, 20, tzinfo=UTC)  # 07:20 in Hà Nội
ENDED = ("motcua_notify_alerts_already_ended_total", {"message_type": "overdue"})


async def test_a_hand_over_arriving_after_a_later_overdue_alert_leaves_it_standing(
    notify_settings, topics, start_notify, publish, smtp_server, client
):
    settings = notify_settings.model_copy(
        update={"digest": DigestSettings(enabled=True, check_seconds=0.1)}
    )
    clock = ManualClock(BEFORE_DIGEST)
    notify = await start_notify(settings, clock=clock)
    code = dossier_code()
    await publish(topics.applicants, applicant(code, consent=()))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))
    await publish(topics.tracking_events, overdue(code))

    async def overdue_alert():
        return [m for m in mails(smtp_server) if m["Subject"].startswith("[Quá hạn]")] or None

    await eventually(overdue_alert)
    # The hand-over happened on the morning of reception, long before the alert, but an
    # offline counter uploads it only now; a supplement request on the same partition
    # shows once it was applied.
    await publish(topics.dossier_events, transferred(code), supplement_requested(code))

    async def applied():
        answer = await client.get(
            f"{notify.url}/v1/notifications",
            params={"dossier_code": code},
            headers={"Authorization": f"Bearer {READ}"},
        )
        items = answer.json()["items"] if answer.status_code == 200 else []
        return [i for i in items if i["message_type"] == "supplement_request"] or None

    await eventually(applied)
    clock.advance(minutes=15)

    async def digest():
        return [m for m in mails(smtp_server) if m["Subject"].startswith("Tổng hợp")] or None

    [sent] = await eventually(digest)
    assert "1 đang xử lý, 1 quá hạn" in sent["Subject"]


async def test_an_alert_on_a_step_already_ended_when_tracking_learnt_of_it_goes_to_no_one(
    notify_settings, topics, start_notify, publish, smtp_server, client
):
    notify = await start_notify(notify_settings, clock=ManualClock(BEFORE_DIGEST))
    code = dossier_code()
    await publish(topics.applicants, applicant(code, consent=()))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))
    # A history import: the step fell due, and the handover that ended it came four days
    # late, so tracking published the overdue alert with the time the step ended.
    due = APPOINTMENT + timedelta(days=4)
    late = DossierOverdue(
        scope="step", step_code="TD", unit_code=SPECIALISTS, due_at=APPOINTMENT, ended_at=due
    )
    before = sample(*ENDED)
    await publish(topics.tracking_events, wrap(late, code, at=due, producer="tracking"))
    await publish(topics.tracking_events, due_soon(code))

    async def warned():
        return [m for m in mails(smtp_server) if code in m["Subject"]] or None

    [sent] = await eventually(warned)
    assert sent["Subject"].startswith("[Sắp đến hạn]")
    types = {i["message_type"] for i in await log_of(client, notify, code)}
    assert "overdue" not in types and "due_soon" in types
    assert sample(*ENDED) == before + 1
