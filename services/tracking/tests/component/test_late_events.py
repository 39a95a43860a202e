"""Events judged on when they happened, not when they arrived (brief, decisions 5 and 9).

The service on a real PostgreSQL, time moved by hand: alerts proven wrong by an event
that happened before them are withdrawn, older events are folded in at their place.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua_tracking.domain import vietnam_time_zone

pytestmark = pytest.mark.infra
VN = vietnam_time_zone()


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


async def test_a_handover_that_arrives_after_the_step_overdue_alert_withdraws_it(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(intake.received(code, at(3, 2, 9)))
    harness.clock.set(at(3, 2, 14, 32))  # the TN step was due at 14:30
    await harness.fire()
    [warning, overdue] = await harness.published("tracking.due-soon", "tracking.overdue")
    assert (overdue.event_type, overdue.data.scope, overdue.occurred_at) == (
        "tracking.overdue",
        "step",
        at(3, 2, 14, 30),
    )

    harness.clock.set(at(3, 2, 14, 40))
    handover = intake.transferred(code, at(3, 2, 14, 20), "MC", "PCM")  # uploaded late
    await harness.apply(handover)

    [withdrawn] = await harness.published("tracking.alert-withdrawn")
    assert withdrawn.data.alert_event_id == str(overdue.event_id)
    assert (
        withdrawn.data.alert_type,
        withdrawn.data.scope,
        withdrawn.data.step_code,
        withdrawn.data.unit_code,
        withdrawn.data.due_at,
        withdrawn.data.reason,
    ) == ("tracking.overdue", "step", "TN", "MC", at(3, 2, 14, 30), "ended_before_due")
    assert withdrawn.data.proven_by_event_id == str(handover.event_id)
    assert withdrawn.causation_id == handover.event_id
    # The warning at 11:00 stood: the step was still open then.
    assert warning.data.scope == "step" and warning.occurred_at == at(3, 2, 11)
    [step] = await harness.published("tracking.step-verdict-given")
    assert (step.data.step_code, step.data.verdict) == ("TN", "on_time")
    [moved] = await harness.published("tracking.deadline-changed")
    assert (moved.data.scope, moved.data.step_code, moved.data.cause) == ("step", "XL", "transfer")
    assert (moved.data.corrected, moved.data.revision) == (True, 1)
    view = await harness.lookups.official(code)
    assert [(s.step_code, s.verdict) for s in view.steps] == [("TN", "on_time"), ("XL", None)]
    assert view.revision == 1

    harness.clock.set(at(3, 2, 15))
    await harness.fire()
    assert len(await harness.published("tracking.overdue")) == 1  # not fired again


async def test_a_refusal_before_the_due_time_that_arrives_after_the_overdue_alert_withdraws_it(
    harness, intake
):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(
        intake.received(code, at(3, 2, 9)), intake.transferred(code, at(3, 2, 11), "MC", "PCM")
    )
    harness.clock.set(at(3, 9, 9, 2))  # the dossier was due at 09:00
    await harness.fire()
    alerts = await harness.published(
        "tracking.due-soon", "tracking.overdue", "tracking.apology-required", "tracking.escalated"
    )
    [dossier_overdue] = [
        e for e in alerts if e.event_type == "tracking.overdue" and e.data.scope == "dossier"
    ]
    assert dossier_overdue.occurred_at == at(3, 9, 9)

    harness.clock.set(at(3, 9, 9, 30))
    refusal = intake.refused(code, at(3, 4, 9, 13))  # refused on Wednesday, sent on Monday
    await harness.apply(refusal)

    withdrawn = await harness.published("tracking.alert-withdrawn")
    after_refusal = {str(e.event_id) for e in alerts if e.occurred_at > at(3, 4, 9, 13)}
    assert {w.data.alert_event_id for w in withdrawn} == after_refusal
    assert str(dossier_overdue.event_id) in after_refusal
    assert {w.data.reason for w in withdrawn} == {"ended_before_due"}
    assert {w.data.proven_by_event_id for w in withdrawn} == {str(refusal.event_id)}
    kinds = {(w.data.alert_type, w.data.scope) for w in withdrawn}
    assert {
        ("tracking.overdue", "dossier"),
        ("tracking.escalated", "dossier"),
        ("tracking.apology-required", "dossier"),
        ("tracking.due-soon", "dossier"),
        ("tracking.overdue", "step"),
    } <= kinds
    [verdict] = await harness.published("tracking.dossier-verdict-given")
    assert (verdict.data.verdict, verdict.data.ended_by, verdict.data.finished_at) == (
        "early",
        "refused",
        at(3, 4, 9, 13),
    )
    assert (verdict.data.apology, verdict.data.revision) == ("not_needed", 1)
    assert await harness.pending_timers(code) == []


async def test_an_older_event_is_folded_in_and_the_verdict_corrected_with_a_higher_revision(
    harness, intake
):
    code = intake.new_code()
    harness.clock.set(at(3, 10, 10))
    await harness.apply(
        intake.received(code, at(3, 2, 9)),
        intake.transferred(code, at(3, 2, 11), "MC", "PCM"),
        intake.finished(code, at(3, 10, 10), unit="PCM"),
    )
    [first] = await harness.published("tracking.dossier-verdict-given")
    assert (first.data.verdict, first.data.due_at, first.data.revision) == (
        "late",
        at(3, 9, 9),
        0,
    )
    assert first.data.apology == "missing"

    # The supplement request and its receipt reach tracking after the finish.
    harness.clock.set(at(3, 10, 11))
    await harness.apply(intake.supplement_requested(code, at(3, 3, 9)))
    harness.clock.set(at(3, 10, 12))
    await harness.apply(intake.supplement_received(code, at(3, 4, 9)))

    assert await harness.published("tracking.event-rejected") == []
    verdicts = await harness.published("tracking.dossier-verdict-given")
    assert [(v.data.revision, v.data.verdict) for v in verdicts] == [
        (0, "late"),
        (1, "early"),  # the clock was still waiting for the citizen at the finish
        (2, "on_time"),  # a day's wait: due Tuesday 09:00, finished Tuesday 10:00
    ]
    assert verdicts[-1].data.due_at == at(3, 10, 9)
    assert (verdicts[-1].data.apology, verdicts[-1].data.responsible_unit) == ("not_needed", None)
    corrected = [
        e
        for e in await harness.published("tracking.deadline-changed")
        if e.data.corrected and e.data.scope == "dossier"
    ]
    assert [(e.data.revision, e.data.new_due_at) for e in corrected][-1] == (2, at(3, 10, 9))
    view = await harness.lookups.official(code)
    assert (view.verdict, view.due_at, view.revision) == ("on_time", at(3, 10, 9), 2)
    assert [(p.requested_at, p.resumed_at) for p in view.pauses] == [(at(3, 3, 9), at(3, 4, 9))]


async def test_a_late_transfer_is_applied_at_its_place_in_the_control_slip(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 5, 9))
    await harness.apply(
        intake.received(code, at(3, 2, 9)),
        intake.supplement_requested(code, at(3, 4, 9), unit="PCM"),
    )
    await harness.apply(intake.transferred(code, at(3, 2, 11), "MC", "PCM"))
    assert await harness.published("tracking.event-rejected") == []
    view = await harness.lookups.official(code)
    assert [(s.step_code, s.unit_code, s.verdict) for s in view.steps] == [
        ("TN", "MC", "on_time"),
        ("XL", "PCM", None),
    ]
    assert view.status.code == 5 and view.due_at is None


async def test_a_late_event_that_would_invalidate_a_recorded_one_is_refused(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 3, 9))
    await harness.apply(
        intake.received(code, at(3, 2, 9)),
        intake.transferred(code, at(3, 2, 11), "MC", "PCM"),
    )
    before = await harness.lookups.official(code)
    late = intake.transferred(code, at(3, 2, 10), "MC", "LD")  # then MC no longer holds it
    await harness.apply(late)
    [rejected] = await harness.published("tracking.event-rejected")
    assert (rejected.data.code, rejected.causation_id) == (
        "conflicts_with_recorded_events",
        late.event_id,
    )
    assert await harness.lookups.official(code) == before


async def test_an_apology_filed_in_time_but_uploaded_late_withdraws_the_escalation(harness, intake):
    code = intake.new_code()
    harness.clock.set(at(3, 2, 9))
    await harness.apply(
        intake.received(code, at(3, 2, 9)), intake.transferred(code, at(3, 2, 11), "MC", "PCM")
    )
    harness.clock.set(at(3, 9, 9, 5))
    await harness.fire()
    [escalated] = await harness.published("tracking.escalated")
    assert escalated.data.reason == "no_apology_by_appointment"

    apology = intake.apology(code, at(3, 6, 9), new_due=at(3, 13, 17))
    await harness.apply(apology)
    withdrawn = await harness.published("tracking.alert-withdrawn")
    assert {w.data.alert_event_id for w in withdrawn} == {str(escalated.event_id)}
    assert [w.data.reason for w in withdrawn] == ["apology_filed"]
    [issued] = await harness.published("tracking.apology-issued")
    assert (issued.data.late, issued.data.new_appointment_at) == (False, at(3, 13, 17))
    [promise] = [
        e for e in await harness.published("tracking.deadline-changed") if e.data.cause == "apology"
    ]
    assert (promise.data.new_due_at, promise.data.corrected, promise.data.revision) == (
        at(3, 13, 17),
        True,
        1,
    )
    # The dossier stays overdue: the apology does not move the statutory appointment.
    overdue = [e for e in await harness.published("tracking.overdue") if e.data.scope == "dossier"]
    assert [e.data.due_at for e in overdue] == [at(3, 9, 9)]
    view = await harness.lookups.official(code)
    assert (view.due_at, view.reappointed_to, view.escalations) == (at(3, 9, 9), at(3, 13, 17), [])
