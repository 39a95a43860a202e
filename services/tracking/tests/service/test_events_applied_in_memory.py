"""Intake's events applied through the tracker's unit of work, on in-memory stores.

No PostgreSQL: the tracker loads, changes and saves dossiers and stages its events only
through the stores of its context (`NO_DATABASE` fails any direct use of the session).
The expectations are those the component tests check on the real database.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from memory_stores import NO_DATABASE, MemoryService

from motcua.catalogue import ProcedureNotYetKnown
from motcua.clock import ManualClock
from motcua.messaging import PermanentError
from motcua_tracking.adapters.documents import to_document
from motcua_tracking.domain import vietnam_time_zone

VN = vietnam_time_zone()


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def kinds(envelopes) -> list[str]:
    return [e.event_type.removeprefix("tracking.") for e in envelopes]


@pytest.fixture
def service() -> MemoryService:
    return MemoryService(ManualClock(at(3, 2, 8)))


async def test_a_reception_sets_the_deadline_and_plans_the_timers(service, intake):
    code = intake.new_code()
    service.clock.set(at(3, 2, 9))
    await service.apply(intake.received(code, at(3, 2, 9)))

    [deadline] = service.published()
    assert deadline.event_type == "tracking.deadline-set"
    assert (deadline.dossier_code, deadline.data.appointment_at) == (code, at(3, 9, 9))
    assert {topic for topic, _ in service.stores.outbox_store.staged} == {
        service.tracker.publish_to
    }
    pending = service.stores.dossier_store.pending(code)
    assert ("step", "due_soon", at(3, 2, 11)) in pending
    assert ("dossier", "overdue", at(3, 9, 9)) in pending
    assert [e.event_id for e in await service.stores.dossier_store.history(code)] == [
        service.published()[0].causation_id
    ]
    assert service.stores.calendar_store.locks == ["shared"]


async def test_events_applied_late_fire_the_timers_due_before_them_in_the_dossier_s_time(
    service, intake
):
    code = intake.new_code()
    service.clock.set(at(3, 9, 12))
    await service.apply(intake.received(code, at(3, 2, 9)), intake.finished(code, at(3, 6, 8)))
    assert kinds(service.published()) == [
        "deadline-set",
        "due-soon",  # TN warning at 11:00 on the 2nd
        "overdue",  # TN overdue at 14:30 on the 2nd
        "due-soon",  # the dossier's warning at 07:30 on the 6th
        "apology-required",
        "step-verdict-given",
        "dossier-verdict-given",
    ]
    assert await service.fire() == 0
    assert service.stores.dossier_store.pending(code) == []
    assert not (await service.dossier(code)).is_open


async def test_an_event_the_dossier_refuses_is_staged_as_a_rejection_and_changes_nothing(
    service, intake
):
    code = intake.new_code()
    service.clock.set(at(3, 4, 9))
    await service.apply(intake.received(code, at(3, 2, 9)))
    await service.apply(intake.apology(code, at(3, 4, 8), new_due=at(3, 13, 17)))
    before = to_document(await service.dossier(code))
    recorded = len(await service.stores.dossier_store.history(code))

    again = intake.apology(code, at(3, 4, 9), new_due=at(3, 20, 17))
    await service.apply(again)

    [rejected] = service.published("tracking.event-rejected")
    assert (rejected.data.code, rejected.causation_id) == ("already_reappointed", again.event_id)
    assert to_document(await service.dossier(code)) == before
    assert len(await service.stores.dossier_store.history(code)) == recorded


async def test_a_handover_that_arrives_after_the_overdue_alert_withdraws_it(service, intake):
    code = intake.new_code()
    service.clock.set(at(3, 2, 9))
    await service.apply(intake.received(code, at(3, 2, 9)))
    service.clock.set(at(3, 2, 14, 32))  # the TN step was due at 14:30
    await service.fire()
    [warning, overdue] = service.published("tracking.due-soon", "tracking.overdue")
    assert (overdue.data.scope, overdue.occurred_at) == ("step", at(3, 2, 14, 30))

    service.clock.set(at(3, 2, 14, 40))
    handover = intake.transferred(code, at(3, 2, 14, 20), "MC", "PCM")  # uploaded late
    await service.apply(handover)

    [withdrawn] = service.published("tracking.alert-withdrawn")
    assert withdrawn.data.alert_event_id == str(overdue.event_id)
    assert (withdrawn.data.reason, withdrawn.causation_id) == (
        "ended_before_due",
        handover.event_id,
    )
    assert warning.occurred_at == at(3, 2, 11)  # the warning stood: TN was open then
    [moved] = service.published("tracking.deadline-changed")
    assert (moved.data.step_code, moved.data.cause) == ("XL", "transfer")
    assert (moved.data.corrected, moved.data.revision) == (True, 1)
    assert (await service.dossier(code)).revision == 1

    service.clock.set(at(3, 2, 15))
    await service.fire()
    assert len(service.published("tracking.overdue")) == 1  # not fired again


async def test_events_tracking_cannot_apply_are_refused_before_anything_is_staged(service, intake):
    unknown = intake.new_code()
    with pytest.raises(PermanentError) as refused:
        await service.apply(intake.transferred(unknown, at(3, 2, 11), "MC", "PCM"))
    assert refused.value.code == "unknown_dossier"

    code = intake.new_code()
    received = intake.received(code, at(3, 2, 9))
    with pytest.raises(ProcedureNotYetKnown):  # its catalogue revision was not read yet
        await service.tracker.apply(NO_DATABASE, [received])
    assert service.published() == []
    assert await service.stores.dossier_store.load([code]) == {}
