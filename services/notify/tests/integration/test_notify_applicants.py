"""The applicant on its own topic: one receipt whichever comes first, and erasure for good."""

from datetime import UTC, datetime

import pytest
from notify_harness import READ, gateway_messages, log_of, mails, sample
from notify_scenario import (
    APPOINTMENT,
    COUNTER,
    MORNING,
    applicant,
    applicant_erased,
    deadline_set,
    dossier_code,
    received,
    supplement_requested,
    wrap,
)

from motcua.clock import ManualClock, SimulatedClock
from motcua.events import ApologyRequired
from motcua.testing import eventually
from motcua_notify.domain.messages import Channel

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]


async def gauge(client, notify, name: str) -> str:
    text = (await client.get(f"{notify.url}/metrics")).text
    return next(line for line in text.splitlines() if line.startswith(name))


async def applied(notify_db, *envelopes) -> None:
    """Wait until the consumer has applied (and recorded) each of `envelopes`."""
    ids = [str(e.event_id) for e in envelopes]

    async def check():
        rows = await notify_db(
            "SELECT count(*) FROM processed_events WHERE event_id::text = ANY(:ids)", ids=ids
        )
        return rows[0][0] == len(ids)

    await eventually(check)


async def test_contacts_before_or_after_the_reception_give_one_receipt(
    notify_settings, topics, start_notify, publish, smtp_server, client, notify_db
):
    notify = await start_notify(notify_settings, clock=SimulatedClock(MORNING, 1.0))
    early, late = dossier_code(), dossier_code()
    early_contacts = applicant(early, email="som@example.vn", consent=("email",))
    late_contacts = applicant(late, email="muon@example.vn", consent=("email",))
    await publish(topics.applicants, early_contacts)
    await publish(topics.dossier_events, received(early))
    await publish(topics.tracking_events, deadline_set(early))
    # Reception, a supplement request and the appointment before the contacts: all wait.
    late_events = (received(late), supplement_requested(late))
    await publish(topics.dossier_events, *late_events)
    await publish(topics.tracking_events, deadline_set(late))
    await applied(notify_db, *late_events)

    async def waiting():
        line = await gauge(client, notify, "motcua_notify_parked_dossiers ")
        return line.endswith(" 1.0")

    await eventually(waiting)
    assert await log_of(client, notify, late) == []

    await publish(topics.applicants, late_contacts)

    async def sent():
        found = [m["To"] for m in mails(smtp_server)]
        return found if len(found) >= 3 else None

    await eventually(sent)
    # Read again (the consumer's record of them lost): nothing new.
    await notify_db("DELETE FROM processed_events")
    await publish(topics.applicants, early_contacts, late_contacts)
    await publish(topics.dossier_events, received(early), *late_events)
    await applied(notify_db, early_contacts, late_contacts, *late_events)
    await notify.app.state.dispatcher.dispatch_once(Channel.EMAIL)

    receipts = [m["To"] for m in mails(smtp_server) if m["Subject"].startswith("Giấy tiếp nhận")]
    assert sorted(receipts) == ["muon@example.vn", "som@example.vn"]
    assert len(mails(smtp_server)) == 3  # and the late dossier's supplement request
    early_log, late_log = await log_of(client, notify, early), await log_of(client, notify, late)
    assert sorted(i["message_type"] for i in early_log) == ["receipt"] * 3
    assert (
        sorted(i["message_type"] for i in late_log) == ["receipt"] * 3 + ["supplement_request"] * 3
    )

    async def nothing_waits():
        line = await gauge(client, notify, "motcua_notify_parked_dossiers ")
        return line.endswith(" 0.0")

    await eventually(nothing_waits)


async def test_an_erasure_scrubs_the_log_and_cancels_what_was_not_sent(
    notify_settings, topics, start_notify, publish, smtp_server, gateway, client, notify_db
):
    night = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # 22:30 in Hà Nội: the SMS waits
    clock = ManualClock(night)
    notify = await start_notify(notify_settings, clock=clock)
    code = dossier_code()
    counted_before = (sample(*ERASURES), sample(*ERASED_UNSENT))
    await publish(topics.applicants, applicant(code, consent=("email", "sms")))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))

    async def email_settled():
        items = await log_of(client, notify, code)
        return any(i["channel"] == "email" and i["status"] == "accepted" for i in items)

    await eventually(email_settled)
    erasure = applicant_erased(code, at=night)
    await publish(topics.applicants, erasure)
    await applied(notify_db, erasure)

    rows = await notify_db(
        "SELECT channel, status, reason, content, recipient, recipient_hash, recipient_masked,"
        " purged_at FROM notifications WHERE dossier_code = :c ORDER BY channel",
        c=code,
    )
    assert [(r.channel, r.status, r.reason) for r in rows] == [
        ("email", "accepted", None),
        ("sms", "withdrawn", "applicant_erased"),
        ("zalo", "skipped", "no_consent"),
    ]
    for row in rows:
        assert (row.content, row.recipient, row.recipient_hash, row.recipient_masked) == (
            None,
            None,
            None,
            None,
        )
        assert row.purged_at == night
    [(person, parked, erased_at)] = await notify_db(
        "SELECT applicant, parked, erased_at FROM dossiers WHERE code = :c", c=code
    )
    assert (person, parked, erased_at) == (None, [], night)
    by_address = await client.get(
        f"{notify.url}/v1/notifications",
        params={"recipient": "nguyen.van.an@example.vn"},
        headers={"Authorization": f"Bearer {READ}"},
    )
    assert by_address.status_code == 200
    assert by_address.json()["items"] == []

    # The citizen is written to no more (nothing parked either); officials still are.
    later = (supplement_requested(code),)
    required = ApologyRequired(unit_code=COUNTER, due_at=APPOINTMENT)
    official = wrap(required, code, producer="tracking")
    await publish(topics.dossier_events, *later)
    await publish(topics.tracking_events, official)
    await applied(notify_db, *later, official)
    types = {i["message_type"] for i in await log_of(client, notify, code)}
    assert types == {"receipt", "apology_required"}
    [(content,)] = await notify_db(
        "SELECT content::text FROM notifications"
        " WHERE dossier_code = :c AND message_type = 'apology_required' AND channel = 'email'",
        c=code,
    )
    assert "Nguyễn Văn An" not in content
    assert (await notify_db("SELECT parked FROM dossiers WHERE code = :c", c=code)) == [([],)]

    clock.set(datetime(2026, 11, 21, 0, 0, 5, tzinfo=UTC))  # 07:00: SMS may go
    await notify.app.state.dispatcher.dispatch_once(Channel.SMS)
    assert [m for m in await gateway_messages(client, gateway) if code in str(m["body"])] == []
    # Counters of the process (other tests count too): this erasure added one of each.
    counted = (sample(*ERASURES), sample(*ERASED_UNSENT))
    assert (counted[0] - counted_before[0], counted[1] - counted_before[1]) == (1.0, 1.0)


ERASURES = ("motcua_notify_erasures_total", {"reason": "request"})
ERASED_UNSENT = (
    "motcua_notify_erased_unsent_total",
    {"channel": "sms", "message_type": "receipt"},
)


async def test_an_applicant_read_again_after_the_erasure_stores_nothing(
    notify_settings, topics, start_notify, publish, smtp_server, client, notify_db
):
    notify = await start_notify(notify_settings, clock=SimulatedClock(MORNING, 1.0))
    code = dossier_code()
    contacts = applicant(code, consent=("email",))
    await publish(topics.applicants, contacts)
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))

    async def settled():
        items = await log_of(client, notify, code)
        return len(items) == 3 and all(i["status"] in ("accepted", "skipped") for i in items)

    await eventually(settled)
    erasure = applicant_erased(code, reason="retention")
    await publish(topics.applicants, erasure)
    await applied(notify_db, erasure)

    # The topic read from the start again: the older record comes back before its erasure.
    await notify_db("DELETE FROM processed_events")
    older = applicant(code, email="moi@example.vn", consent=("email",))
    await publish(topics.applicants, contacts, older)
    await applied(notify_db, contacts, older)

    [(person, erased_at)] = await notify_db(
        "SELECT applicant, erased_at FROM dossiers WHERE code = :c", c=code
    )
    assert person is None and erased_at is not None
    assert len(await log_of(client, notify, code)) == 3
    assert len(mails(smtp_server)) == 1
