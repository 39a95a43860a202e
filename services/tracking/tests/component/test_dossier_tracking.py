"""The tracking use cases on a real PostgreSQL, time moved by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from motcua.clock import SimulatedClock
from motcua.messaging import PermanentError
from motcua_tracking.domain import DayOffPeriod, YearDecision, vietnam_time_zone
from motcua_tracking.service import CalendarBook, TimerLoop, TrackingContext
from motcua_tracking.settings import TimerSettings

pytestmark = pytest.mark.infra
VN = vietnam_time_zone()


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=VN)


def kinds(envelopes) -> list[str]:
    return [e.event_type.removeprefix("tracking.") for e in envelopes]


async def test_a_dossier_from_reception_to_result_with_a_pause_and_a_transfer(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(intake.received(code, at(3, 2, 9)))
    harness.clock.set(at(3, 2, 11))
    await harness.apply(intake.transferred(code, at(3, 2, 11), "MC", "PCM"))
    harness.clock.set(at(3, 3, 9))
    await harness.apply(intake.supplement_requested(code, at(3, 3, 9)))
    harness.clock.set(at(3, 4, 9))
    await harness.apply(intake.supplement_received(code, at(3, 4, 9)))
    harness.clock.set(at(3, 6, 10))
    assert await harness.fire() == 1  # the XL step's warning (Wed 07:30 + the paused day)
    await harness.apply(intake.transferred(code, at(3, 6, 10), "PCM", "LD"))
    harness.clock.set(at(3, 6, 16))
    await harness.apply(
        intake.finished(code, at(3, 6, 16)), intake.result_returned(code, at(3, 9, 8))
    )

    published = await harness.published()
    assert kinds(published) == [
        "deadline-set",
        "due-soon",  # TN: half its time gone at 11:00, fired before the handover
        "step-verdict-given",  # TN by MC
        "deadline-changed",  # XL re-planned from the handover
        "deadline-changed",  # paused: dossier
        "deadline-changed",  # paused: step
        "deadline-changed",  # resumed: dossier
        "deadline-changed",  # resumed: step
        "due-soon",  # XL warning, Thursday 07:30
        "step-verdict-given",  # XL by PCM
        "deadline-changed",  # KY re-planned from the handover
        "due-soon",  # KY warning at 13:30
        "overdue",  # KY due 15:30, finished at 16:00
        "step-verdict-given",  # KY by LD at the finish
        "dossier-verdict-given",
    ]
    assert all(e.dossier_code == code and e.key == code for e in published)
    assert published[2].causation_id is not None and published[1].causation_id is None
    verdict = published[-1].data
    assert (verdict.verdict, verdict.due_at, verdict.responsible_unit) == (
        "early",
        at(3, 10, 9),
        None,
    )
    resumed = published[6].data
    assert (resumed.cause, resumed.old_due_at, resumed.new_due_at) == (
        "supplement_resumed",
        at(3, 9, 9),
        at(3, 10, 9),
    )

    view = await harness.lookups.official(code)
    assert view.status.code == 10 and view.verdict == "early"
    assert [(s.step_code, s.unit_code, s.handed_to, s.verdict) for s in view.steps] == [
        ("TN", "MC", "PCM", "on_time"),
        ("XL", "PCM", "LD", "on_time"),
        ("KY", "LD", None, "on_time"),
    ]
    assert [(p.requested_at, p.resumed_at) for p in view.pauses] == [(at(3, 3, 9), at(3, 4, 9))]
    assert await harness.pending_timers(code) == []


async def test_a_late_dossier_owes_an_apology_that_sets_a_new_appointment(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(intake.received(code, at(3, 2, 9)), intake.applicant(code, at(3, 2, 9)))
    await harness.apply(intake.transferred(code, at(3, 2, 11), "MC", "PCM"))
    harness.clock.set(at(3, 6, 7, 31))  # the warning instant and its minute of grace
    await harness.fire()
    required = await harness.published("tracking.apology-required")
    assert [(e.data.unit_code, e.data.due_at, e.occurred_at) for e in required] == [
        ("PCM", at(3, 9, 9), at(3, 6, 7, 30))
    ]
    harness.clock.set(at(3, 6, 9))
    await harness.apply(intake.apology(code, at(3, 6, 9), new_due=at(3, 13, 17)))
    [issued] = await harness.published("tracking.apology-issued")
    assert (issued.data.original_due_at, issued.data.new_appointment_at, issued.data.late) == (
        at(3, 9, 9),
        at(3, 13, 17),
        False,
    )
    assert issued.data.procedure_name == "Cấp giấy phép xây dựng"
    [changed] = [
        e for e in await harness.published("tracking.deadline-changed") if e.data.cause == "apology"
    ]
    assert (changed.data.old_due_at, changed.data.new_due_at) == (at(3, 9, 9), at(3, 13, 17))
    # The statutory appointment is still watched; the promise is watched apart.
    assert ("dossier", "overdue", at(3, 9, 9)) in await harness.pending_timers(code)
    assert ("dossier", "reappointment_overdue", at(3, 13, 17)) in await harness.pending_timers(code)

    harness.clock.set(at(3, 9, 10))
    await harness.fire()
    overdue = await harness.published("tracking.overdue")
    assert [(e.data.scope, e.data.due_at) for e in overdue if e.data.scope == "dossier"] == [
        ("dossier", at(3, 9, 9))
    ]
    assert await harness.published("tracking.escalated") == []  # an apology was filed
    citizen = await harness.lookups.citizen(code, "5678", "10.0.0.1")
    assert (citizen.appointment_at, citizen.new_appointment_at) == (at(3, 9, 9), at(3, 13, 17))
    assert citizen.apology.reason
    official = await harness.lookups.official(code)
    assert (official.due_at, official.new_appointment_at) == (at(3, 9, 9), at(3, 13, 17))

    harness.clock.set(at(3, 13, 18))
    await harness.fire()
    [broken] = await harness.published("tracking.escalated")
    assert (broken.data.reason, broken.data.due_at) == (
        "overdue_after_reappointment",
        at(3, 13, 17),
    )


async def test_a_dossier_finished_after_its_appointment_with_an_apology_in_time_is_late(
    harness, intake
):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(intake.received(code, at(3, 2, 9)))
    await harness.apply(intake.transferred(code, at(3, 2, 11), "MC", "PCM"))
    harness.clock.set(at(3, 6, 9))
    await harness.apply(intake.apology(code, at(3, 6, 9), new_due=at(3, 13, 17)))
    harness.clock.set(at(3, 11, 10))
    await harness.apply(intake.finished(code, at(3, 11, 10)))
    [verdict] = await harness.published("tracking.dossier-verdict-given")
    assert verdict.data.verdict == "late"
    assert verdict.data.due_at == at(3, 9, 9)
    assert (verdict.data.apology, verdict.data.responsible_unit) == ("in_time", "PCM")
    assert (verdict.data.reappointed_to, verdict.data.reappointment_kept) == (at(3, 13, 17), True)
    view = await harness.lookups.official(code)
    assert (view.verdict, view.due_at, view.reappointed_to) == ("late", at(3, 9, 9), at(3, 13, 17))


async def test_an_overdue_dossier_without_apology_is_escalated(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(intake.received(code, at(3, 2, 9)))
    await harness.apply(intake.transferred(code, at(3, 2, 11), "MC", "PCM"))
    harness.clock.set(at(3, 9, 9, 1))
    await harness.fire()
    assert kinds(await harness.published("tracking.overdue", "tracking.escalated")) == [
        "overdue",  # the XL step (Thu 16:30)
        "overdue",  # the dossier
        "escalated",
    ]
    [escalated] = await harness.published("tracking.escalated")
    assert (escalated.data.reason, escalated.data.unit_code) == ("no_apology_by_appointment", "PCM")
    harness.clock.set(at(3, 10, 9))
    await harness.apply(intake.apology(code, at(3, 10, 9), new_due=at(3, 13, 17)))
    [issued] = await harness.published("tracking.apology-issued")
    assert issued.data.late is True
    await harness.apply(intake.finished(code, at(3, 12, 9)))
    [verdict] = await harness.published("tracking.dossier-verdict-given")
    assert (verdict.data.verdict, verdict.data.responsible_unit) == ("late", "PCM")
    assert (verdict.data.apology, verdict.data.reappointment_kept) == ("late", True)


async def test_an_alert_waits_for_its_grace_and_keeps_its_own_instant(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(intake.received(code, at(3, 2, 9)))
    harness.clock.set(at(3, 2, 11, 0, 59))  # the TN warning at 11:00, 59 s ago
    assert await harness.fire() == 0
    assert await harness.published("tracking.due-soon") == []
    harness.clock.set(at(3, 2, 11, 1, 1))
    assert await harness.fire() == 1
    [warning] = await harness.published("tracking.due-soon")
    assert (warning.data.scope, warning.occurred_at) == ("step", at(3, 2, 11))
    assert warning.recorded_at == at(3, 2, 11, 1, 1)


async def test_the_grace_is_configurable_and_runs_on_the_clock_s_time(make_harness, intake):
    strict = await make_harness(timers={"alert_grace_seconds": 0})
    code = intake.new_code()
    strict.clock.set(at(3, 2, 9))
    await strict.apply(intake.received(code, at(3, 2, 9)))
    strict.clock.set(at(3, 2, 11))
    assert await strict.fire() == 1
    assert strict.timers.grace == timedelta(0)
    demo = TrackingContext(
        SimulatedClock(at(3, 2, 9), 60), CalendarBook.from_settings(strict.settings.calendar)
    )
    sped_up = TimerLoop(
        strict.sessions, strict.tracker, TimerSettings(alert_grace_seconds=60), context=demo
    )
    assert sped_up.grace == timedelta(hours=1)  # a real minute is an hour of demo time


async def test_timers_fire_once_in_the_dossier_s_own_time(harness, intake):
    """A finish recorded after the warning instant fires the warning first, then stops."""
    code = intake.new_code()
    harness.clock.set(at(3, 9, 12))
    await harness.apply(intake.received(code, at(3, 2, 9)), intake.finished(code, at(3, 6, 8)))
    assert kinds(await harness.published()) == [
        "deadline-set",
        "due-soon",  # TN warning at 11:00 on the 2nd
        "overdue",  # TN overdue at 14:30 on the 2nd
        "due-soon",  # the dossier's warning at 07:30 on the 6th
        "apology-required",
        "step-verdict-given",
        "dossier-verdict-given",
    ]
    assert await harness.fire() == 0
    assert await harness.pending_timers(code) == []


async def test_a_calendar_decision_recomputes_the_open_deadlines_it_touches(harness, intake):
    touched, finished, later = intake.new_code(), intake.new_code(), intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(
        intake.received(touched, at(3, 2, 9)),
        intake.received(finished, at(3, 2, 9)),
        intake.finished(finished, at(3, 3, 9)),
        intake.received(later, at(3, 2, 9)),
    )
    harness.clock.set(at(3, 3, 10))
    current = {d.decision.year: d.decision for d in await harness.decisions.in_force()}[2026]
    extra = DayOffPeriod(date(2026, 3, 5), date(2026, 3, 5), "Ngày nghỉ (thử nghiệm)")
    amended = YearDecision(2026, (*current.days_off, extra), (), "test decision")
    loaded = await harness.decisions.load(amended)
    assert (loaded.changed_days, loaded.dossiers_recomputed) == (1, 2)

    changes = [
        e
        for e in await harness.published("tracking.deadline-changed")
        if e.data.cause == "calendar_changed"
    ]
    assert {
        (e.dossier_code, e.data.scope, e.data.old_due_at, e.data.new_due_at) for e in changes
    } == {
        (touched, "dossier", at(3, 9, 9), at(3, 10, 9)),
        (later, "dossier", at(3, 9, 9), at(3, 10, 9)),
    }
    assert ("dossier", "overdue", at(3, 10, 9)) in await harness.pending_timers(touched)
    assert ("dossier", "due_soon", at(3, 9, 7, 30)) in await harness.pending_timers(touched)
    in_force = {d.decision.year: d for d in await harness.decisions.in_force()}
    assert (in_force[2026].source, in_force[2026].revision) == ("loaded", 1)

    harness.clock.set(at(3, 4, 9))
    code = intake.new_code()
    await harness.apply(intake.received(code, at(3, 4, 9)))
    [deadline] = [
        e for e in await harness.published("tracking.deadline-set") if e.dossier_code == code
    ]
    assert deadline.data.appointment_at == at(3, 12, 9)  # Thursday 5 is off now


async def test_impossible_events_go_to_the_dead_letters(harness, intake):
    unknown = intake.new_code()
    for envelope in (
        intake.transferred(unknown, at(3, 2, 11), "MC", "PCM"),
        intake.result_returned(unknown, at(3, 2, 11)),
    ):
        with pytest.raises(PermanentError) as refused:
            await harness.apply(envelope)
        assert refused.value.code == "unknown_dossier"
    code = intake.new_code()
    await harness.apply(intake.received(code, at(3, 2, 9)))
    with pytest.raises(PermanentError, match="duplicate_reception"):
        await harness.apply(intake.received(code, at(3, 2, 10)))
    far = intake.received(intake.new_code(), datetime(2041, 3, 4, 9, tzinfo=VN))
    with pytest.raises(PermanentError, match="outside_calendar"):
        await harness.apply(far)


async def test_events_refused_by_the_dossier_s_state_are_published_as_rejections(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 4, 9))
    await harness.apply(intake.received(code, at(3, 2, 9)))
    await harness.apply(intake.apology(code, at(3, 4, 8), new_due=at(3, 13, 17)))
    before = await harness.lookups.official(code)
    bad = [
        intake.apology(code, at(3, 4, 9), new_due=at(3, 20, 17)),  # a second re-appointment
        intake.transferred(code, at(3, 2, 8), "MC", "PCM"),  # before the reception
        intake.transferred(code, at(3, 4, 9), "PCM", "LD"),  # PCM does not hold it
        intake.supplement_received(code, at(3, 4, 9)),  # nothing was requested
        intake.result_returned(code, at(3, 4, 9)),  # not finished
    ]
    await harness.apply(*bad)
    rejected = await harness.published("tracking.event-rejected")
    assert [(e.data.code, e.causation_id) for e in rejected] == [
        ("already_reappointed", bad[0].event_id),
        ("before_reception", bad[1].event_id),
        ("not_holder", bad[2].event_id),
        ("no_pending_supplement", bad[3].event_id),
        ("result_before_finish", bad[4].event_id),
    ]
    assert await harness.lookups.official(code) == before


async def test_an_apology_with_an_earlier_time_is_rejected(harness, intake):
    code = intake.new_code()
    await harness.apply(intake.received(code, at(3, 2, 9)))
    await harness.apply(intake.apology(code, at(3, 4, 9), new_due=at(3, 6, 9)))
    [rejected] = await harness.published("tracking.event-rejected")
    assert rejected.data.code == "new_appointment_not_later"
    assert await harness.published("tracking.apology-issued") == []


async def test_a_transfer_recorded_late_counts_from_its_own_time(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(intake.received(code, at(3, 2, 9)))
    harness.clock.set(at(3, 4, 15))
    await harness.apply(intake.transferred(code, at(3, 2, 11), "MC", "PCM"))
    view = await harness.lookups.official(code)
    assert [(s.started_at, s.due_at) for s in view.steps] == [
        (at(3, 2, 9), at(3, 2, 14, 30)),
        (at(3, 2, 11), at(3, 5, 16, 30)),
    ]


async def test_the_citizen_sees_their_dossier_only_with_the_right_digits(harness, intake):
    code = intake.new_code()
    await harness.apply(
        intake.received(code, at(3, 2, 9)),
        intake.applicant(code, at(3, 2, 9), phone="+84 912 34 5678"),
    )
    view = await harness.lookups.citizen(code, "5678", "10.0.0.1")
    shown = view.model_dump_json()
    assert view.procedure_name == "Cấp giấy phép xây dựng" and view.appointment_at == at(3, 9, 9)
    assert "Nguyễn" not in shown and "0912" not in shown and "MC" not in shown
    assert await harness.lookups.citizen(code, "1234", "10.0.0.1") is None
    assert await harness.lookups.citizen(intake.new_code(), "5678", "10.0.0.1") is None
    async with harness.engine.connect() as conn:
        digest = (await conn.execute(text("SELECT phone_hash FROM applicant_digests"))).one()
        document = (await conn.execute(text("SELECT document::text FROM dossiers"))).one()
    assert "5678" not in digest.phone_hash and "5678" not in document.document


async def test_restart_policy_counts_the_full_period_from_the_complete_dossier(
    make_harness, intake
):
    restarting = await make_harness(supplement_policy="restart")
    code = intake.new_code()
    restarting.clock.set(at(3, 4, 10))
    await restarting.apply(
        intake.received(code, at(3, 2, 9)),
        intake.supplement_requested(code, at(3, 3, 9), unit="MC"),
        intake.supplement_received(code, at(3, 4, 10)),
    )
    [resumed] = [
        e
        for e in await restarting.published("tracking.deadline-changed")
        if e.data.scope == "dossier" and e.data.new_due_at is not None
    ]
    assert (resumed.data.cause, resumed.data.new_due_at) == ("supplement_restarted", at(3, 11, 10))
