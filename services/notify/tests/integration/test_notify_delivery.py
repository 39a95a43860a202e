"""Delivery you can trust: no duplicates, retries, recorded failures, consent, quiet hours."""

from datetime import UTC, datetime, timedelta

import pytest
from notify_harness import gateway_messages, log_of, mails, plain_text, read_events
from notify_scenario import (
    MORNING,
    applicant,
    deadline_set,
    dossier_code,
    received,
    supplement_requested,
)

from motcua.clock import ManualClock, SimulatedClock
from motcua.testing import eventually
from motcua_notify.domain.messages import Channel

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]

# Too short to be a mobile number, and long enough that no random label (a test
# topic's hex suffix, say) contains it by chance, as "0123" can.
BAD_PHONE = "01234567"


def daytime() -> SimulatedClock:
    """Real time, but starting at 09:00 in Hà Nội, so no test meets the quiet hours."""
    return SimulatedClock(MORNING, speed=1.0)


async def settled(client, notify, code, count):
    async def check():
        items = await log_of(client, notify, code)
        done = [i for i in items if i["status"] not in ("pending", "sending")]
        return items if len(items) >= count and len(done) == len(items) else None

    return await eventually(check)


async def test_a_redelivered_event_sends_nothing_new(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client, notify_db
):
    notify = await start_notify(notify_settings, clock=daytime())
    code = dossier_code()
    first = (received(code), deadline_set(code))
    await publish(topics.applicants, applicant(code))
    await publish(topics.dossier_events, first[0])
    await publish(topics.tracking_events, first[1])
    await settled(client, notify, code, 3)

    # Kafka redelivers both (same event ids), then the dossier moves on.
    await publish(topics.dossier_events, first[0])
    await publish(topics.tracking_events, first[1])
    supplement = supplement_requested(code)
    await publish(topics.dossier_events, supplement)
    await settled(client, notify, code, 6)
    # Even with the consumer's dedupe record lost, the idempotency keys hold.
    await notify_db("DELETE FROM processed_events")
    await publish(topics.dossier_events, first[0], supplement)
    await publish(topics.tracking_events, first[1])
    marker = dossier_code()
    await publish(topics.applicants, applicant(marker, email="marker@example.vn"))
    await publish(topics.dossier_events, received(marker))
    await publish(topics.tracking_events, deadline_set(marker))
    await settled(client, notify, marker, 3)

    subjects = [m["Subject"] for m in mails(smtp_server) if m["To"] == "nguyen.van.an@example.vn"]
    assert len(subjects) == 2  # one receipt, one supplement request
    sms = [m for m in await gateway_messages(client, gateway) if m["endpoint"] == "sms"]
    assert len([m for m in sms if code in m["body"]["text"]]) == 2
    rows = await notify_db("SELECT count(*) FROM notifications WHERE dossier_code = :c", c=code)
    assert rows[0][0] == 6


async def test_rate_limited_sms_is_retried_then_accepted(
    notify_settings, topics, start_notify, publish, gateway, client, notify_db
):
    notify = await start_notify(notify_settings, clock=daytime())
    await client.post(f"{gateway}/_mode", json={"mode": "rate_limit", "times": 1})
    code = dossier_code()
    await publish(topics.applicants, applicant(code, consent=("sms",)))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))

    items = await settled(client, notify, code, 3)
    [sms] = [i for i in items if i["channel"] == "sms"]
    assert sms["status"] == "accepted"
    assert sms["attempts"] == 2
    tries = [m for m in await gateway_messages(client, gateway) if m["endpoint"] == "sms"]
    assert [t["answer"] for t in tries] == ["rate_limit", "ok"]
    assert tries[0]["body"]["client_ref"] == tries[1]["body"]["client_ref"]
    metrics = (await client.get(f"{notify.url}/metrics")).text
    assert (
        'motcua_notify_retried_total{channel="sms",message_type="receipt",reason="rate_limited"}'
        in metrics
    )


async def test_permanent_failures_are_recorded_and_published(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client, kafka_settings
):
    notify = await start_notify(notify_settings, clock=daytime())
    await client.post(f"{gateway}/_mode", json={"mode": "reject", "times": 1})
    rejected, invalid, unknown, garbage = (dossier_code() for _ in range(4))
    await publish(
        topics.applicants,
        applicant(rejected, consent=("sms",)),
        applicant(invalid, phone=BAD_PHONE, consent=("sms", "email")),
        applicant(unknown, email=smtp_server.unknown_mailbox, consent=("email",)),
    )
    await publish(topics.dossier_events, received(rejected), received(invalid), received(unknown))
    await publish(
        topics.tracking_events, deadline_set(rejected), deadline_set(invalid), deadline_set(unknown)
    )
    reasons = {}
    for code in (rejected, invalid, unknown):
        for item in await settled(client, notify, code, 3):
            reasons[(code, item["channel"])] = (item["status"], item["reason"])
    assert reasons[(rejected, "sms")] == ("failed", "rejected_400")
    assert reasons[(rejected, "email")] == ("skipped", "no_consent")
    assert reasons[(invalid, "sms")] == ("failed", "invalid_phone")
    assert reasons[(invalid, "email")][0] == "accepted"  # a bad phone does not stop the email
    assert reasons[(unknown, "email")] == ("failed", "smtp_recipient_refused_550")

    await client.post(f"{gateway}/_mode", json={"mode": "garbage", "times": 1})
    await publish(topics.applicants, applicant(garbage, consent=("zalo",)))
    await publish(topics.dossier_events, received(garbage))
    await publish(topics.tracking_events, deadline_set(garbage))
    [zalo] = [i for i in await settled(client, notify, garbage, 3) if i["channel"] == "zalo"]
    assert (zalo["status"], zalo["reason"]) == ("failed", "gateway_garbage")

    # Each failure is published by the relay after it is recorded: read until all are.
    async def published_failures():
        events = await read_events(kafka_settings, topics.notifications, 1_000, within=1)
        failed = sorted(e.data.reason for e in events if e.event_type == "notify.failed")
        return failed if len(failed) >= 4 else None

    failed = await eventually(published_failures)
    assert failed == [
        "gateway_garbage",
        "invalid_phone",
        "rejected_400",
        "smtp_recipient_refused_550",
    ]
    metrics = (await client.get(f"{notify.url}/metrics")).text
    labels = [
        line.split("{", 1)[1].split("}", 1)[0]
        for line in metrics.splitlines()
        if "{" in line and not line.startswith("#")
    ]
    assert 'reason="invalid_phone"' in metrics
    assert not any(BAD_PHONE in label for label in labels)  # the bad number never becomes a label


async def test_no_consent_means_nothing_is_sent(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client
):
    notify = await start_notify(notify_settings, clock=daytime())
    code = dossier_code()
    await publish(topics.applicants, applicant(code, consent=()))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))

    items = await settled(client, notify, code, 3)
    assert {(i["channel"], i["status"], i["reason"]) for i in items} == {
        ("email", "skipped", "no_consent"),
        ("sms", "skipped", "no_consent"),
        ("zalo", "skipped", "no_consent"),
    }
    assert smtp_server.recorder.messages == []
    assert await gateway_messages(client, gateway) == []


async def test_a_night_time_sms_waits_until_morning(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client, notify_db
):
    night = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # 22:30 in Hà Nội
    clock = ManualClock(night)
    notify = await start_notify(notify_settings, clock=clock)
    code = dossier_code()
    await publish(topics.applicants, applicant(code, consent=("email", "sms")))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))

    async def email_sent():
        return mails(smtp_server) or None

    [mail] = await eventually(email_sent)
    assert "hẹn trả kết quả" in plain_text(mail).lower()
    [(status, not_before)] = await notify_db(
        "SELECT status, not_before FROM notifications WHERE channel = 'sms' AND dossier_code = :c",
        c=code,
    )
    assert status == "pending"
    assert not_before == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 07:00 the next morning

    clock.set(datetime(2026, 11, 20, 23, 59, tzinfo=UTC))  # 06:59: still quiet
    assert await notify.app.state.dispatcher.dispatch_once(Channel.SMS) == 0
    assert await gateway_messages(client, gateway) == []

    clock.set(datetime(2026, 11, 21, 0, 0, 5, tzinfo=UTC))

    async def sms_sent():
        return await gateway_messages(client, gateway) or None

    [sms] = await eventually(sms_sent)
    assert sms["endpoint"] == "sms" and code in sms["body"]["text"]


async def test_delivery_receipts_settle_accepted_messages(
    notify_settings, topics, start_notify, publish, gateway, client
):
    notify = await start_notify(notify_settings, clock=daytime())
    await client.post(
        f"{gateway}/_config",
        json={"callback_url": f"{notify.url}/v1/receipts/sms", "callback_token": "bien-nhan"},
    )
    code = dossier_code()
    await publish(topics.applicants, applicant(code, consent=("sms",)))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))

    async def delivered():
        items = await log_of(client, notify, code)
        return [i for i in items if i["status"] == "delivered"] or None

    [sms] = await eventually(delivered)
    assert sms["channel"] == "sms" and sms["delivered_at"] is not None

    wrong = await client.post(
        f"{notify.url}/v1/receipts/sms",
        json={"message_id": "sms-1", "status": "delivered"},
        headers={"Authorization": "Bearer sai"},
    )
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    unknown = await client.post(
        f"{notify.url}/v1/receipts/sms",
        json={"message_id": "khong-co", "status": "delivered"},
        headers={"Authorization": "Bearer bien-nhan"},
    )
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "urn:motcua:problem:message_not_found"


async def test_retention_purges_bodies_and_keeps_the_status(
    notify_settings, topics, start_notify, publish, smtp_server, client, notify_db
):
    clock = ManualClock(MORNING)
    notify = await start_notify(notify_settings, clock=clock)
    code = dossier_code()
    await publish(topics.applicants, applicant(code, consent=("email",)))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))
    await settled(client, notify, code, 3)

    clock.advance(days=31)
    assert await notify.app.state.housekeeper.purge() == (3, 0)

    items = await log_of(client, notify, code)
    assert all(i["body_purged"] for i in items)
    assert {i["status"] for i in items} == {"accepted", "skipped"}
    [(content, recipient, masked)] = await notify_db(
        "SELECT content, recipient, recipient_masked FROM notifications "
        "WHERE dossier_code = :c AND channel = 'email'",
        c=code,
    )
    assert (content, recipient, masked) == (None, None, "n***@example.vn")
    assert MORNING + timedelta(days=31) == clock.now()
