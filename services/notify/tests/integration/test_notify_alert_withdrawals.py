"""Withdrawn alerts: never sent if not gone yet, corrected once where someone was told."""

from datetime import UTC, datetime

import pytest
from notify_harness import ADMIN, READ, gateway_messages, log_of, mails, plain_text
from notify_scenario import (
    MORNING,
    SPECIALISTS,
    alert_withdrawn,
    applicant,
    deadline_set,
    dossier_code,
    due_soon,
    overdue,
    received,
    supplement_requested,
    transferred,
)

from motcua.clock import ManualClock
from motcua.testing import eventually
from motcua_notify.domain.messages import Channel
from motcua_notify.settings import DigestSettings

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]

OFFICIAL = "hctp@stp.example.vn"
CORRECTION = "[Thu hồi cảnh báo]"


async def set_unit(client, notify, gateway, channels, email=OFFICIAL):
    answer = await client.put(
        f"{notify.url}/v1/directory/units/{SPECIALISTS}",
        headers={"Authorization": f"Bearer {ADMIN}"},
        json={
            "agency_code": "STP",
            "name": "Phòng Hành chính tư pháp",
            "role": "specialist",
            "head_name": "Trưởng phòng Lê Minh Tuấn",
            "email": email,
            "phone": "0987 654 321",
            "webhook_url": f"{gateway}/webhook/stp-hctp",
            "channels": channels,
        },
    )
    assert answer.status_code == 200, answer.text


async def open_dossier(publish, topics, client, notify) -> str:
    """A dossier at the specialists' step, its hand-over applied before any alert comes."""
    code = dossier_code()
    marker = supplement_requested(code)  # applied after the transfer (same partition)
    await publish(topics.applicants, applicant(code, consent=()))
    await publish(topics.dossier_events, received(code), transferred(code), marker)
    await publish(topics.tracking_events, deadline_set(code))
    await rows(client, notify, code, "supplement_request", ("skipped",), 3)
    return code


async def rows(client, notify, code, message_type, statuses, count):
    async def check():
        found = [
            i
            for i in await log_of(client, notify, code)
            if i["message_type"] == message_type and i["status"] in statuses
        ]
        return found if len(found) >= count else None

    return await eventually(check)


async def waiting_for_retry(client, notify, code, attempts=1):
    """The overdue alert was tried `attempts` times and waits for its retry."""

    async def check():
        found = [
            i
            for i in await log_of(client, notify, code)
            if i["message_type"] == "overdue"
            and i["status"] == "pending"
            and i["attempts"] == attempts
        ]
        return found or None

    return await eventually(check)


async def corrected_count(client, notify) -> float:
    """The process's count of overdue alerts withdrawn after someone was told."""
    sample = 'motcua_notify_alert_withdrawals_total{message_type="overdue",outcome="corrected"} '
    metrics = (await client.get(f"{notify.url}/metrics")).text
    line = next((line for line in metrics.splitlines() if line.startswith(sample)), None)
    return float(line.removeprefix(sample)) if line else 0.0


def corrections(smtp_server):
    return [m for m in mails(smtp_server) if m["Subject"].startswith(CORRECTION)]


async def test_a_delivered_alert_withdrawn_is_corrected_once_per_recipient_and_channel(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client
):
    notify = await start_notify(notify_settings, clock=ManualClock(MORNING))
    await set_unit(client, notify, gateway, ["email", "sms", "webhook"])
    code = await open_dossier(publish, topics, client, notify)
    alert = overdue(code)
    await publish(topics.tracking_events, alert)
    await rows(client, notify, code, "overdue", ("accepted", "delivered"), 3)
    corrected_before = await corrected_count(client, notify)

    withdrawal = alert_withdrawn(alert)
    await publish(topics.tracking_events, withdrawal)
    sent = await rows(client, notify, code, "alert_withdrawn", ("accepted", "delivered"), 3)
    assert sorted(i["channel"] for i in sent) == ["email", "sms", "webhook"]

    # Kafka redelivers the withdrawal; a later alert on the same partition shows it was read.
    await publish(topics.tracking_events, withdrawal, due_soon(code))
    await rows(client, notify, code, "due_soon", ("accepted", "delivered"), 3)

    [mail] = corrections(smtp_server)
    assert mail["To"] == OFFICIAL
    assert mail["Subject"] == f"{CORRECTION} Hồ sơ {code} – Cảnh báo quá hạn"
    text = plain_text(mail)
    assert f"Cảnh báo quá hạn ngày 09:00 ngày 20/11/2026 đối với hồ sơ {code}" in text
    assert 'bước "Thẩm định hồ sơ" tại Phòng Hành chính tư pháp' in text
    assert "đã được thu hồi: bước này đã được hoàn thành và chuyển tiếp trước thời hạn" in text
    out = await gateway_messages(client, gateway)
    sms = [m["body"] for m in out if m["endpoint"] == "sms" and "thu hồi" in m["body"]["text"]]
    assert [m["to"] for m in sms] == ["+84987654321"]
    hooks = [m["body"] for m in out if m["endpoint"] == "webhook/stp-hctp"]
    withdrawn_hooks = [h for h in hooks if h["type"] == "alert_withdrawn"]
    assert len(withdrawn_hooks) == 1
    assert withdrawn_hooks[0]["withdrawn_type"] == "overdue"
    assert withdrawn_hooks[0]["dossier_code"] == code
    alerts = [i for i in await log_of(client, notify, code) if i["message_type"] == "overdue"]
    assert sorted(i["status"] for i in alerts) == ["accepted", "accepted", "delivered"]

    figures = await client.get(
        f"{notify.url}/v1/notifications/figures", headers={"Authorization": f"Bearer {READ}"}
    )
    assert figures.status_code == 200, figures.text
    assert {"message_type": "overdue", "outcome": "corrected", "count": 1} in figures.json()[
        "alert_withdrawals"
    ]
    counted = {(m["message_type"], m["status"]): m["count"] for m in figures.json()["messages"]}
    assert counted[("alert_withdrawn", "accepted")] + counted[("alert_withdrawn", "delivered")] == 3
    # The counter lives in the process's registry, which other tests share: count the step.
    assert await corrected_count(client, notify) == corrected_before + 1


async def test_an_alert_withdrawn_before_it_went_out_is_never_sent(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client
):
    clock = ManualClock(MORNING)
    notify = await start_notify(notify_settings, clock=clock)
    await set_unit(client, notify, gateway, ["webhook"])
    code = await open_dossier(publish, topics, client, notify)
    # The receiver is down: the alert waits for its retry (the clock stands still).
    await client.post(f"{gateway}/_mode", json={"mode": "fail", "times": 1})
    alert = overdue(code)
    await publish(topics.tracking_events, alert)
    await waiting_for_retry(client, notify, code)

    await publish(topics.tracking_events, alert_withdrawn(alert))
    [stopped] = await rows(client, notify, code, "overdue", ("withdrawn",), 1)
    assert stopped["reason"] == "alert_withdrawn"

    clock.advance(hours=1)
    assert await notify.app.state.dispatcher.dispatch_once(Channel.WEBHOOK) == 0
    hooks = [m for m in await gateway_messages(client, gateway) if m["endpoint"].startswith("web")]
    assert [h["answer"] for h in hooks] == ["fail"]
    assert not [
        i for i in await log_of(client, notify, code) if i["message_type"] == "alert_withdrawn"
    ]
    assert corrections(smtp_server) == []


async def test_a_withdrawal_arriving_before_its_alert_means_nothing_is_sent(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client
):
    notify = await start_notify(notify_settings, clock=ManualClock(MORNING))
    code = await open_dossier(publish, topics, client, notify)
    alert = overdue(code)
    await publish(topics.tracking_events, alert_withdrawn(alert), alert)

    [row] = await rows(client, notify, code, "overdue", ("withdrawn",), 1)
    assert (row["channel"], row["reason"]) == ("email", "alert_withdrawn")
    assert await notify.app.state.dispatcher.dispatch_once(Channel.EMAIL) == 0
    assert [m for m in mails(smtp_server) if code in m["Subject"]] == []
    types = {i["message_type"] for i in await log_of(client, notify, code)}
    assert "alert_withdrawn" not in types


async def test_the_digest_no_longer_counts_a_withdrawn_overdue_alert(
    notify_settings, topics, start_notify, publish, smtp_server, client
):
    settings = notify_settings.model_copy(
        update={"digest": DigestSettings(enabled=True, check_seconds=0.1)}
    )
    clock = ManualClock(datetime(2026, 11, 20, 0, 20, tzinfo=UTC))  # 07:20 in Hà Nội
    notify = await start_notify(settings, clock=clock)
    code = await open_dossier(publish, topics, client, notify)
    alert = overdue(code)
    await publish(topics.tracking_events, alert)
    await rows(client, notify, code, "overdue", ("accepted",), 1)
    await publish(topics.tracking_events, alert_withdrawn(alert))
    await rows(client, notify, code, "alert_withdrawn", ("accepted",), 1)

    clock.advance(minutes=15)

    async def digest():
        return [m for m in mails(smtp_server) if m["Subject"].startswith("Tổng hợp")] or None

    [sent] = await eventually(digest)
    assert "1 đang xử lý, 0 quá hạn" in sent["Subject"]
    assert code in plain_text(sent)
    assert "QUÁ HẠN" not in plain_text(sent)


async def test_a_digest_not_sent_yet_is_written_anew_without_the_withdrawn_alert(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client, notify_db
):
    settings = notify_settings.model_copy(
        update={"digest": DigestSettings(enabled=True, check_seconds=0.1)}
    )
    clock = ManualClock(datetime(2026, 11, 20, 0, 20, tzinfo=UTC))  # 07:20 in Hà Nội
    notify = await start_notify(settings, clock=clock)
    # The unit's mailbox answers "try later": its mail waits for a retry (the clock stands).
    await set_unit(client, notify, gateway, ["email"], email=smtp_server.busy_mailbox)
    code = await open_dossier(publish, topics, client, notify)
    alert = overdue(code)
    await publish(topics.tracking_events, alert)
    await waiting_for_retry(client, notify, code)
    clock.advance(minutes=15)

    async def digest_rows():
        found = await notify_db(
            "SELECT status, attempts, content->>'subject' FROM notifications "
            "WHERE message_type = 'daily_digest' AND unit_code = :u ORDER BY id",
            u=SPECIALISTS,
        )
        return found if found and all(r[:2] == ("pending", 1) for r in found) else None

    [(_, _, subject)] = await eventually(digest_rows)
    assert "1 quá hạn" in subject
    # The clock moved past the alert's backoff: it was tried again and waits once more.
    await waiting_for_retry(client, notify, code, attempts=2)

    await publish(topics.tracking_events, alert_withdrawn(alert))
    await rows(client, notify, code, "overdue", ("withdrawn",), 1)

    async def rewritten():
        found = await notify_db(
            "SELECT status, reason, content->>'subject' FROM notifications "
            "WHERE message_type = 'daily_digest' AND unit_code = :u ORDER BY id",
            u=SPECIALISTS,
        )
        return found if len(found) == 2 and found[1][0] == "pending" else None

    [old, new] = await eventually(rewritten)
    assert old[:2] == ("withdrawn", "superseded")
    assert "1 quá hạn" in old[2]
    assert "1 đang xử lý, 0 quá hạn" in new[2]


async def test_an_alert_being_sent_when_withdrawn_never_goes_out_after_its_correction(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client, notify_db
):
    clock = ManualClock(MORNING)
    notify = await start_notify(notify_settings, clock=clock)
    await set_unit(client, notify, gateway, ["webhook"])
    code = await open_dossier(publish, topics, client, notify)
    await client.post(f"{gateway}/_mode", json={"mode": "fail", "times": 1})
    alert = overdue(code)
    await publish(topics.tracking_events, alert)
    await waiting_for_retry(client, notify, code)
    # A sender holds the alert, about to hand it to the receiver, when the withdrawal comes:
    # it counts as gone out and the receiver gets a correction.
    await notify_db(
        "UPDATE notifications SET status = 'sending', lease_owner = 'a-sender-that-dies',"
        " lease_until = now() + interval '1 hour'"
        " WHERE dossier_code = :code AND message_type = 'overdue'",
        code=code,
    )
    await publish(topics.tracking_events, alert_withdrawn(alert))
    await rows(client, notify, code, "alert_withdrawn", ("accepted", "delivered"), 1)

    # That sender dies; its lease runs out and the alert is back in the queue.
    await notify_db(
        "UPDATE notifications SET lease_until = now() - interval '1 second'"
        " WHERE dossier_code = :code AND message_type = 'overdue'",
        code=code,
    )
    # The housekeeper's own round (every half second here) puts it back in the queue.
    await eventually(
        lambda: notify_db(
            "SELECT 1 FROM notifications WHERE dossier_code = :code"
            " AND message_type = 'overdue' AND status = 'pending' AND lease_owner IS NULL",
            code=code,
        ),
        what="the expired lease reclaimed",
    )
    clock.advance(hours=1)
    [stopped] = await rows(client, notify, code, "overdue", ("withdrawn",), 1)
    assert stopped["reason"] == "alert_withdrawn"
    hooks = [m for m in await gateway_messages(client, gateway) if m["endpoint"].startswith("web")]
    assert [h["answer"] for h in hooks] == ["fail", "ok"]  # the first try, the correction
