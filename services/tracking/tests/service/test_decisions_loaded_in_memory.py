"""A yearly calendar decision loaded on in-memory stores: stored, open deadlines moved.

No PostgreSQL: `DecisionLoader.load_in` takes the calendar lock, stores the decision and
recalendars the open dossiers through its context's stores and the tracker's unit of
work; the calendars adopt the new decisions once the caller committed. The expectations
are those the component tests check on the real database.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from memory_stores import NO_DATABASE, MemoryService

from motcua.clock import ManualClock
from motcua_tracking.domain import (
    CalendarRangeError,
    DayOffPeriod,
    YearDecision,
    vietnam_time_zone,
)

VN = vietnam_time_zone()


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def service() -> MemoryService:
    return MemoryService(ManualClock(at(3, 2, 8)))


def amended_2026(service: MemoryService) -> YearDecision:
    """The 2026 decision in force with Thursday 5 March off as well."""
    current = {d.decision.year: d.decision for d in service.context.calendars.in_force}[2026]
    extra = DayOffPeriod(date(2026, 3, 5), date(2026, 3, 5), "Ngày nghỉ (thử nghiệm)")
    return YearDecision(2026, (*current.days_off, extra), (), "test decision")


async def test_a_loaded_decision_recalendars_the_open_dossiers_it_touches(service, intake):
    touched, finished, later = intake.new_code(), intake.new_code(), intake.new_code()
    service.clock.set(at(3, 2, 9))
    await service.apply(
        intake.received(touched, at(3, 2, 9)),
        intake.received(finished, at(3, 2, 9)),
        intake.finished(finished, at(3, 3, 9)),
        intake.received(later, at(3, 2, 9)),
    )
    service.clock.set(at(3, 3, 10))
    staged_before = len(service.published())

    loaded, new = await service.decisions.load_in(NO_DATABASE, amended_2026(service))

    assert (loaded.year, loaded.revision, loaded.changed_days) == (2026, 1, 1)
    assert loaded.dossiers_recomputed == 2
    assert service.stores.calendar_store.locks[-1] == "exclusive"
    changes = [
        e
        for e in service.published("tracking.deadline-changed")
        if e.data.cause == "calendar_changed"
    ]
    assert {
        (e.dossier_code, e.data.scope, e.data.old_due_at, e.data.new_due_at) for e in changes
    } == {
        (touched, "dossier", at(3, 9, 9), at(3, 10, 9)),
        (later, "dossier", at(3, 9, 9), at(3, 10, 9)),
    }
    assert loaded.deadlines_moved == len(service.published()) - staged_before
    pending = service.stores.dossier_store.pending(touched)
    assert ("dossier", "overdue", at(3, 10, 9)) in pending
    assert ("dossier", "due_soon", at(3, 9, 7, 30)) in pending
    assert ("dossier", "overdue", at(3, 9, 9)) not in pending

    # Only once the transaction committed do the calendars use it.
    book = service.context.calendars
    assert book.revision == 0
    book.adopt(new)
    in_force = {d.decision.year: d for d in book.in_force}
    assert (in_force[2026].source, in_force[2026].revision) == ("loaded", 1)
    service.clock.set(at(3, 4, 9))
    code = intake.new_code()
    await service.apply(intake.received(code, at(3, 4, 9)))
    [deadline] = [e for e in service.published("tracking.deadline-set") if e.dossier_code == code]
    assert deadline.data.appointment_at == at(3, 12, 9)  # Thursday 5 is off now


async def test_a_decision_changing_no_working_day_moves_nothing(service, intake):
    code = intake.new_code()
    service.clock.set(at(3, 2, 9))
    await service.apply(intake.received(code, at(3, 2, 9)))
    current = {d.decision.year: d.decision for d in service.context.calendars.in_force}[2026]
    staged_before = len(service.published())

    loaded, _ = await service.decisions.load_in(NO_DATABASE, current)

    assert (loaded.revision, loaded.changed_days, loaded.dossiers_recomputed) == (1, 0, 0)
    assert len(service.published()) == staged_before
    assert [item.decision for item in await service.stores.calendar_store.decisions()] == [current]


async def test_a_decision_for_a_year_the_calendars_do_not_cover_is_refused_before_any_work(
    service,
):
    with pytest.raises(CalendarRangeError):
        await service.decisions.load(YearDecision(2041, (), (), "too far"))
    assert service.stores.calendar_store.locks == []
    assert await service.stores.calendar_store.decisions() == []
