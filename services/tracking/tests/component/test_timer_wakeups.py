"""The timer loop sleeps until the next fire time, yet a timer stored meanwhile wakes it."""

from __future__ import annotations

import asyncio
from datetime import datetime

from motcua.messaging.wakeups import Wakeups
from motcua.testing import eventually
from motcua_tracking.adapters.timers import TIMERS_CHANGED
from motcua_tracking.domain import vietnam_time_zone
from motcua_tracking.service import TimerLoop

VN = vietnam_time_zone()
POLL = 60.0
WITHIN = 20.0  # generous, and well below the poll interval


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


async def test_a_timer_stored_while_the_loop_sleeps_fires_without_waiting_for_the_poll(
    make_harness, intake
):
    harness = await make_harness(timers={"poll_seconds": POLL})
    wakeups = Wakeups(harness.engine)
    timers = TimerLoop(
        harness.sessions,
        harness.tracker,
        harness.settings.timers,
        wake=wakeups.event(TIMERS_CHANGED),
        context=harness.context,
    )
    stop = asyncio.Event()
    running = [asyncio.create_task(wakeups.loop.run(stop)), asyncio.create_task(timers.run(stop))]
    try:
        await eventually(lambda: wakeups.listening, WITHIN, what="listening for stored timers")
        await eventually(
            lambda: timers.loop.last_success is not None, WITHIN, what="the loop's first pass"
        )

        code = intake.new_code()
        harness.clock.set(at(3, 2, 11, 2))  # the step's warning (11:00) is due, with its grace
        await harness.apply(intake.received(code, at(3, 2, 9)))

        async def warned() -> bool:
            return bool(await harness.published("tracking.due-soon"))

        await eventually(warned, WITHIN, what="the new dossier's due warning fired")
    finally:
        stop.set()
        await asyncio.gather(*running)
        await wakeups.close()
