"""What changes when a dossier is rebuilt from its events in occurred order (decision 9).

An event that arrives late (older than the dossier's last applied event, or than an
alert already fired) makes the service replay the dossier's events in occurred order,
ties in arrival order. The rebuilt dossier is the truth; what was said from the old
one is corrected by the differences:
- alerts: a fired alert the rebuilt history does not fire (the same timer: scope,
  kind, step, due and fire instants, and the same alert of it) is retracted, with
  why: the clock had ended or paused before the alert's instant, the due time moved,
  or the apology it asked for had been filed; an alert the rebuilt history fires that
  had not fired is new; the others keep their published ids;
- due times: the statutory appointment, the re-appointment and the current step's
  due time, each that moved is reported as a corrected change;
- verdicts: step verdicts not given before, the dossier's verdict if it changed;
- the apology, if it is new.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from motcua_tracking.domain.calendar import WorkingCalendar
from motcua_tracking.domain.clocks import SupplementPolicy
from motcua_tracking.domain.dossiers import Rules, Step, TrackedDossier
from motcua_tracking.domain.outcomes import (
    TIMED,
    AlertRetracted,
    ApologyOwed,
    DueMoved,
    DueSoonReached,
    Escalated,
    Outcome,
    OverdueReached,
    Reappointed,
    StepJudged,
    alert_type,
)
from motcua_tracking.domain.timers import SentAlert, Timer, TimerKey

Alert = DueSoonReached | OverdueReached | ApologyOwed | Escalated
_OWED_AN_APOLOGY = {"tracking.apology-required", "tracking.escalated"}

__all__ = ["corrections"]


def corrections(
    old: TrackedDossier,
    new: TrackedDossier,
    replayed: Sequence[Outcome],
    *,
    at: datetime,
    calendar: WorkingCalendar,
    rules: Rules,
) -> list[Outcome]:
    """What to publish after `old` was rebuilt as `new` (whose replay gave `replayed`).

    `at` is when the late event happened. `new` takes over the stored timers of `old`:
    matching ones keep their ids and the alerts published for them that the replay
    gives again, the others are cancelled.
    """
    alerts: dict[TimerKey | None, list[Alert]] = {}
    for outcome in replayed:
        if isinstance(outcome, TIMED):
            alerts.setdefault(outcome.timer, []).append(outcome)
    retracted, fresh = _take_over_timers(old, new, alerts)
    outcomes: list[Outcome] = [
        AlertRetracted(at, alert, timer.scope, timer.due_at, _why(new, timer, alert))
        for timer, alert in retracted
    ]
    judged_steps = {_step_fact(step) for step in old.steps if step.verdict is not None}
    for outcome in replayed:
        if isinstance(outcome, TIMED):
            if any(outcome is item for item in fresh):
                outcomes.append(outcome)
        elif isinstance(outcome, StepJudged):
            if _judged_fact(outcome) not in judged_steps:
                outcomes.append(outcome)
        elif isinstance(outcome, Reappointed) and old.clock.reappointment is None:
            outcomes.append(outcome)
    outcomes += _moved(old, new, at, calendar)
    verdict = new.judgement(calendar, rules)
    if verdict is not None and verdict != old.judgement(calendar, rules):
        outcomes.append(verdict)
    return outcomes


def _take_over_timers(
    old: TrackedDossier, new: TrackedDossier, alerts: dict[TimerKey | None, list[Alert]]
) -> tuple[list[tuple[Timer, SentAlert]], list[Alert]]:
    """Alerts of `old` the replay does not give again, and alerts it gives for the first time."""
    previous = {timer.key: timer for timer in old.timers if not timer.cancelled}
    retracted: list[tuple[Timer, SentAlert]] = []
    fresh: list[Alert] = []
    for timer in new.timers:
        given = alerts.get(timer.key, []) if timer.fired_at is not None else []
        before = previous.pop(timer.key, None)
        if before is None or before.fired_at is None:
            fresh += given
            if before is not None:
                timer.stored_id, timer.changed = before.stored_id, timer.fired_at is not None
            continue
        timer.stored_id, timer.fired_at = before.stored_id, before.fired_at
        if not given:  # not reached by the replay: the alerts stand as they were
            timer.sent, timer.changed = list(before.sent), False
            continue
        types = {alert_type(item) for item in given}
        timer.sent = [alert for alert in before.sent if alert.alert_type in types]
        timer.changed = timer.sent != before.sent
        retracted += [(timer, alert) for alert in before.sent if alert.alert_type not in types]
        sent = {alert.alert_type for alert in before.sent}
        fresh += [item for item in given if alert_type(item) not in sent]
    gone = [timer for timer in old.timers if timer.cancelled] + list(previous.values())
    for timer in gone:
        timer.cancelled = True
    new.timers += [timer for timer in gone if timer.stored_id is not None]
    retracted += [(timer, alert) for timer in previous.values() for alert in timer.sent]
    return retracted, fresh


def _why(new: TrackedDossier, timer: Timer, alert: SentAlert) -> str:
    instant, apology = timer.fire_at, new.clock.reappointment
    if alert.alert_type in _OWED_AN_APOLOGY and apology and apology.issued_at <= instant:
        return "apology_filed"
    if timer.scope == "dossier":
        ended = new.finished_at
    else:
        ended = next((s.finished_at for s in new.steps if s.seq == timer.step_seq), None)
    if ended is not None and ended <= instant:
        return "ended_before_due"
    for pause in new.clock.suspensions:
        if pause.requested_at <= instant and (
            pause.resumed_at is None or instant < pause.resumed_at
        ):
            return "paused_before_due"
    return "due_moved"


def _moved(
    old: TrackedDossier, new: TrackedDossier, at: datetime, calendar: WorkingCalendar
) -> list[DueMoved]:
    moved: list[DueMoved] = []
    before = old.due(calendar, until=old.finished_at)
    after = new.due(calendar, until=new.finished_at)
    if before != after:
        moved.append(DueMoved(at, "dossier", None, before, after, _pause_cause(new, after), True))
    promised = old.promised_due(calendar, until=old.finished_at)
    promise = new.promised_due(calendar, until=new.finished_at)
    if promise is not None and promise != promised:
        moved.append(DueMoved(at, "dossier", None, promised or before, promise, "apology", True))
    step, was = new.current_step, old.current_step
    if not new.is_open or step.allotted is None:
        return moved
    if (step.seq, step.code) == (was.seq, was.code):
        old_due, cause = was.due_at, _pause_cause(new, step.due_at)
    else:
        old_due, cause = old.plan.get(step.code or ""), "transfer"
    if old_due != step.due_at:
        moved.append(DueMoved(at, "step", step.code, old_due, step.due_at, cause, True))
    return moved


def _pause_cause(new: TrackedDossier, due: datetime | None) -> str:
    if due is None:
        return "supplement_paused"
    if new.clock.policy is SupplementPolicy.RESTART:
        return "supplement_restarted"
    return "supplement_resumed"


def _step_fact(step: Step) -> tuple[object, ...]:
    return (step.code, step.unit_code, step.started_at, step.finished_at, step.due_at, step.verdict)


def _judged_fact(outcome: StepJudged) -> tuple[object, ...]:
    return (
        outcome.step_code,
        outcome.unit_code,
        outcome.started_at,
        outcome.finished_at,
        outcome.due_at,
        outcome.verdict,
    )
