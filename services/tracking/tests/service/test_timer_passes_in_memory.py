"""The timer loop's pass on in-memory stores: claim due dossiers, fire, stage, mark fired.

No PostgreSQL: the pass (`TimerLoop.fire_in`) refreshes the calendars, claims dossiers
and saves them only through its context's stores, and goes through the tracker's unit
of work. The expectations are those the component tests check on the real database.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from memory_stores import NO_DATABASE, MemoryService
from prometheus_client import REGISTRY

from motcua.clock import ManualClock
from motcua_tracking.domain import vietnam_time_zone
from motcua_tracking.service import TimerLoop
from motcua_tracking.settings import TimerSettings, TrackingSettings

VN = vietnam_time_zone()


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=VN)


@pytest.fixture
def service() -> MemoryService:
    return MemoryService(ManualClock(at(3, 2, 8)))


async def test_a_pass_fires_the_step_warning_then_its_overdue_each_once_after_the_grace(
    service, intake
):
    code = intake.new_code()
    service.clock.set(at(3, 2, 9))
    await service.apply(intake.received(code, at(3, 2, 9)))

    service.clock.set(at(3, 2, 11, 0, 59))  # the TN warning at 11:00, 59 s ago
    assert await service.timers.fire_in(NO_DATABASE) == 0
    service.clock.set(at(3, 2, 11, 1, 1))
    assert await service.timers.fire_in(NO_DATABASE) == 1
    [warning] = service.published("tracking.due-soon")
    assert (warning.dossier_code, warning.data.scope) == (code, "step")
    assert (warning.occurred_at, warning.recorded_at) == (at(3, 2, 11), at(3, 2, 11, 1, 1))
    assert ("step", "due_soon", at(3, 2, 11)) not in service.stores.dossier_store.pending(code)
    assert await service.timers.fire_in(NO_DATABASE) == 0  # fired once

    service.clock.set(at(3, 2, 14, 31, 1))
    assert await service.timers.fire_in(NO_DATABASE) == 1
    [overdue] = service.published("tracking.overdue")
    assert (overdue.data.scope, overdue.occurred_at) == ("step", at(3, 2, 14, 30))
    assert len(service.published("tracking.due-soon")) == 1
    assert ("dossier", "overdue", at(3, 9, 9)) in service.stores.dossier_store.pending(code)
    assert set(service.stores.calendar_store.locks) == {"shared"}


async def test_a_pass_claims_at_most_a_batch_of_dossiers_in_code_order(intake):
    settings = TrackingSettings(timers=TimerSettings(batch_size=2, alert_grace_seconds=0))
    service = MemoryService(ManualClock(at(3, 2, 9)), settings)
    codes = sorted(intake.new_code() for _ in range(3))
    await service.apply(*(intake.received(code, at(3, 2, 9)) for code in codes))

    service.clock.set(at(3, 2, 11))
    assert await service.timers.fire_in(NO_DATABASE) == 2
    assert [e.dossier_code for e in service.published("tracking.due-soon")] == codes[:2]
    assert await service.timers.fire_in(NO_DATABASE) == 1
    assert await service.timers.fire_in(NO_DATABASE) == 0
    assert [e.dossier_code for e in service.published("tracking.due-soon")] == codes


async def test_a_finished_dossier_has_nothing_left_to_fire(service, intake):
    code = intake.new_code()
    service.clock.set(at(3, 2, 10))
    await service.apply(intake.received(code, at(3, 2, 9)), intake.finished(code, at(3, 2, 10)))
    service.clock.set(at(3, 20, 9))
    assert await service.fire() == 0
    assert service.published("tracking.due-soon", "tracking.overdue") == []


class Lag:
    """The dossier consumer's lag as the timer loop reads it, set by the test."""

    def __init__(self) -> None:
        self.records: int | Exception = 0

    async def __call__(self) -> int:
        if isinstance(self.records, Exception):
            raise self.records
        return self.records


def held_timers(service: MemoryService, lag: Lag, timeout: float = 300) -> TimerLoop:
    settings = TimerSettings(behind_records=100, catch_up_timeout_seconds=timeout)
    return TimerLoop(
        NO_DATABASE, service.tracker, settings, consumer_lag=lag, context=service.context
    )


def held_gauge() -> float:
    return REGISTRY.get_sample_value("motcua_tracking_timers_held") or 0.0


async def test_timers_wait_while_the_dossier_consumer_is_behind_then_go_on(service, intake):
    """A backlog (a history import) is applied before the timers fire, so an event that
    happened before a timer's instant is not folded in late after its alert went out."""
    lag = Lag()
    timers = held_timers(service, lag)
    code = intake.new_code()
    await service.apply(intake.received(code, at(3, 2, 9)))
    service.clock.set(at(3, 2, 12))  # the step's warning (11:00) is due
    assert not await timers.holding()  # caught up at start

    lag.records = 101
    assert await timers.holding() and held_gauge() == 1
    assert await timers.step() > 0  # a short pause, no pass: it would have used the database
    assert service.published("tracking.due-soon") == []

    lag.records = 100  # within a batch or so: caught up
    assert not await timers.holding() and held_gauge() == 0
    assert await timers.fire_in(NO_DATABASE) == 1


async def test_timers_fire_even_so_once_the_consumer_stays_behind_past_the_timeout(service, caplog):
    lag = Lag()
    timers = held_timers(service, lag, timeout=0.05)
    lag.records = 5_000
    assert await timers.holding()
    await asyncio.sleep(0.06)
    assert not await timers.holding() and held_gauge() == 0
    assert "timers fire although the dossier consumer is behind" in caplog.text
    assert not await timers.holding()  # until the consumer has caught up

    lag.records = 0
    assert not await timers.holding()
    lag.records = 5_000
    assert await timers.holding(), "a new backlog is waited for again"


async def test_at_start_timers_wait_until_the_consumer_has_read_everything(service):
    """After downtime or in a rebuild, the events that happened before a timer's instant
    are applied before it fires: any lag holds the timers, even one record."""
    lag = Lag()
    timers = held_timers(service, lag)
    lag.records = ConnectionError("broker not there yet")
    assert await timers.holding()
    lag.records = 1
    assert await timers.holding()
    lag.records = 0
    assert not await timers.holding()
    lag.records = 1
    assert not await timers.holding(), "once caught up, only a backlog holds them"


async def test_once_caught_up_a_lag_that_cannot_be_read_holds_no_timer(service):
    lag = Lag()
    timers = held_timers(service, lag)
    assert not await timers.holding()
    lag.records = ConnectionError("broker away")
    assert not await timers.holding()
