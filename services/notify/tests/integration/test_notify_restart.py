"""A restart in the middle of a batch: each message reaches the SMTP server exactly once."""

import asyncio
from collections import Counter

import pytest
from notify_harness import mails
from notify_scenario import (
    MORNING,
    applicant,
    deadline_set,
    dossier_code,
    received,
)

from motcua.clock import SimulatedClock
from motcua.testing import eventually
from motcua_notify.settings import DispatchSettings, SmtpSettings

pytestmark = [pytest.mark.infra, pytest.mark.timeout(180)]
MESSAGES = 150


async def test_each_message_is_sent_once_across_a_graceful_restart(
    notify_settings, topics, start_notify, publish, smtp_server, notify_db
):
    received_data = smtp_server.recorder.handle_DATA

    async def slow_mailbox(server, session, envelope):
        await asyncio.sleep(0.01)
        return await received_data(server, session, envelope)

    smtp_server.recorder.handle_DATA = slow_mailbox
    settings = notify_settings.model_copy(
        update={
            "smtp": SmtpSettings(host="127.0.0.1", port=smtp_server.port, pool_size=2),
            "dispatch": DispatchSettings(idle_poll_seconds=0.05, batch_size=40, concurrency=4),
        }
    )
    first = await start_notify(settings, clock=SimulatedClock(MORNING, 1.0))
    codes = [dossier_code() for _ in range(MESSAGES)]
    await publish(
        topics.applicants,
        *(
            applicant(c, email=f"cong.dan.{n}@example.vn", consent=("email",))
            for n, c in enumerate(codes)
        ),
    )
    await publish(topics.dossier_events, *(received(c) for c in codes))
    await publish(topics.tracking_events, *(deadline_set(c) for c in codes))

    async def some_sent():
        return len(smtp_server.recorder.messages) >= 25

    await eventually(some_sent)
    await first.stop()
    sent_before = len(smtp_server.recorder.messages)
    leased = await notify_db("SELECT count(*) FROM notifications WHERE status = 'sending'")
    assert leased[0][0] == 0  # what was claimed but not sent went back to the queue
    assert sent_before < MESSAGES

    await start_notify(settings, clock=SimulatedClock(MORNING, 1.0))

    async def all_settled():
        rows = await notify_db(
            "SELECT count(*) FROM notifications WHERE channel = 'email' AND status = 'accepted'"
        )
        return rows[0][0] == MESSAGES

    await eventually(all_settled, within=60)
    await asyncio.sleep(0.5)
    ids = Counter(m["Message-ID"] for m in mails(smtp_server))
    assert len(ids) == MESSAGES
    assert set(ids.values()) == {1}
    [(attempts,)] = await notify_db(
        "SELECT sum(attempts) FROM notifications WHERE channel = 'email'"
    )
    assert attempts == MESSAGES
