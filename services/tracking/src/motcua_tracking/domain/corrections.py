"""What changes when a dossier is rebuilt from its events in occurred order (decision 9).

An event that arrives late (older than the dossier's last applied event, or than an
alert already fired) makes the service replay the dossier's events in occurred order,
ties in arrival order. The rebuilt dossier is the truth; what was said from the old
one is corrected by the differences:
- alerts: a fired alert the rebuilt history does not fire (the same timer: scope,
  kind, step, due and fire instants) is retracted, with why: the clock had ended or
  paused before the alert's instant, or the due time moved; an alert the rebuilt
  history fires that had not fired is new; the others keep their published ids;
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
    DueMoved,
    Outcome,
    Reappointed,
    StepJudged,
)
from motcua_tracking.domain.timers import Timer, TimerKey

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
    matching ones keep their ids and published alerts, the others are cancelled.
    """
    fresh, dropped = _take_over_timers(old, new)
    outcomes: list[Outcome] = [
        AlertRetracted(at, alert, timer.scope, timer.due_at, _why(new, timer))
        for timer in dropped
        for alert in timer.sent
    ]
    judged_steps = {_step_fact(step) for step in old.steps if step.verdict is not None}
    for outcome in replayed:
        if isinstance(outcome, TIMED):
            if outcome.timer in fresh:
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
    old: TrackedDossier, new: TrackedDossier
) -> tuple[set[TimerKey], list[Timer]]:
    """Timers that fired only in `new`, and fired timers of `old` that `new` has not."""
    previous = {timer.key: timer for timer in old.timers if not timer.cancelled}
    fresh: set[TimerKey] = set()
    for timer in new.timers:
        before = previous.pop(timer.key, None)
        if before is None:
            if timer.fired_at is not None:
                fresh.add(timer.key)
            continue
        timer.stored_id = before.stored_id
        if before.fired_at is not None:
            timer.fired_at, timer.sent, timer.changed = before.fired_at, list(before.sent), False
        elif timer.fired_at is not None:
            fresh.add(timer.key)
        else:
            timer.changed = False
    gone = [timer for timer in old.timers if timer.cancelled] + list(previous.values())
    for timer in gone:
        timer.cancelled = True
    new.timers += [timer for timer in gone if timer.stored_id is not None]
    return fresh, [timer for timer in previous.values() if timer.fired_at is not None]


def _why(new: TrackedDossier, timer: Timer) -> str:
    instant = timer.fire_at
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
