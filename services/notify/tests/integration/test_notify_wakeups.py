"""Idle senders wait for rows to be queued (NOTIFY), not for their poll interval."""

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

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]
POLL = 60.0


async def test_an_idle_sender_sends_a_new_receipt_without_waiting_for_its_poll(
    notify_settings, topics, start_notify, publish, smtp_server
):
    dispatch = notify_settings.dispatch.model_copy(update={"idle_poll_seconds": POLL})
    settings = notify_settings.model_copy(update={"dispatch": dispatch})
    notify = await start_notify(settings, clock=SimulatedClock(MORNING, speed=1.0))
    runtime = notify.app.state.runtime
    senders = [loop for loop in runtime.loops if loop.name.startswith("dispatch-")]

    async def idle() -> bool:
        """Listening, and every sender has found the queue empty once."""
        return runtime.wakeups.listening and all(s.last_success is not None for s in senders)

    await eventually(idle)
    code = dossier_code()
    await publish(topics.applicants, applicant(code, email="wakeup@example.vn"))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))

    async def receipt() -> bool:
        return any(m["To"] == "wakeup@example.vn" for m in mails(smtp_server))

    await eventually(receipt, within=20)  # well below the 60 s poll
