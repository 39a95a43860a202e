"""The timer loop's pass on in-memory stores: claim due dossiers, fire, stage, mark fired.

No PostgreSQL: the pass (`TimerLoop.fire_in`) refreshes the calendars, claims dossiers
and saves them only through its context's stores, and goes through the tracker's unit
of work. The expectations are those the component tests check on the real database.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from memory_stores import NO_DATABASE, MemoryService

from motcua.clock import ManualClock
from motcua_tracking.domain import vietnam_time_zone
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
