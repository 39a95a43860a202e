"""A tracked dossier: status, clock, control slip and alert timers, and what each event does.

Each operation checks first and changes nothing when it refuses (raising `Rejection`);
then it fires the timers due before the event (in the dossier's own time, so replaying
the same events gives the same alerts), applies the event and re-plans the timers
(which ones and when they fire: `timer_planning`).

Rules:
- Events are applied at their own occurred time, in that order: one older than the
  dossier's last applied event is refused here (`out_of_order`); the service folds it
  in by replaying the dossier's events in occurred order (`corrections`). Any event
  after the clock stopped is refused, except the result being returned and the
  financial obligation.
- Step 1 is held by the receiving unit from the reception (with the reception cut-off);
  each handover ends the current step with its verdict and starts the next one, due
  its allotment after the handover. A step outside the plan is due with the dossier.
- A supplement request stops both the dossier's and the current step's clock.
- The verdict is taken against the statutory appointment with the supplement pauses
  applied; an apology never changes it (brief, decision 5). A dossier open past that
  appointment is overdue; if no apology was filed by then, the head of office is told.
- An apology (once) records a re-appointment, a separate promise: kept if the dossier
  ends by it (same granularity as verdicts), broken otherwise; a re-appointment that
  passes with the dossier open is escalated. The verdict reports the apology as in
  time (filed before the statutory appointment), late (after it), missing (the dossier
  ended late without one) or not needed.
- Each due time is computed on the calendar in force at the instant it counts from
  (`WorkingCalendar.at`): after a merge, the absorbed agency's hours before the merge
  date, the absorbing agency's from it, so a merge never moves a time already given.
- Lateness goes to the unit of the first step that ended (or is running) past its own
  due time, or else to the unit holding the dossier when it fell due.
- Timers due before an event fire on its way (above). When that event ends the step (or
  the dossier) an alert warns of, which happens to events that arrive late or in a
  history import, the alert carries when it ended (`ended_at`): it stands in the record
  (look-ups, indicators), and no official is asked to act on something already done.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time
from decimal import Decimal

from motcua.lifecycle import LifecycleStep, status_after
from motcua.verdicts import Granularity, Standing, verdict
from motcua.verdicts import standing as standing_at
from motcua.vocabulary import ApologyStanding, DossierStatus, Verdict
from motcua_tracking.domain.calendar import WorkingCalendar
from motcua_tracking.domain.clocks import (
    ApologyRejected,
    DossierClock,
    SupplementPolicy,
    Suspension,
)
from motcua_tracking.domain.deadlines import (
    ProcedureTerms,
    ProcessingTime,
    replan_after_handover,
    step_due_times,
)
from motcua_tracking.domain.outcomes import (
    ApologyOwed,
    DeadlineFixed,
    DossierJudged,
    DueMoved,
    DueSoonReached,
    Escalated,
    Outcome,
    OverdueReached,
    Reappointed,
    StepJudged,
)
from motcua_tracking.domain.timer_planning import dossier_timers, step_timers
from motcua_tracking.domain.timers import Timer, TimerKind, reconcile

__all__ = ["DossierStatus", "HistoryEntry", "Rejection", "Rules", "Step", "TrackedDossier"]

# The alerts (`alert_type`) that make an open dossier due soon while they stand.
_WARNINGS = frozenset({"tracking.due-soon", "tracking.overdue"})

# Handovers have no late-day cut-off: a step entered at 16:00 counts from 16:00.
_NO_CUTOFF = time(23, 59, 59)


class Rejection(ValueError):
    """An event that cannot apply to the dossier as it stands; `code` is machine-readable."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Rules:
    """Deployment rules: verdict granularity and extra warnings at shares of the time."""

    granularity: Granularity = Granularity.WORKING_DAY
    due_soon_shares: tuple[Decimal, ...] = ()


@dataclass
class Step:
    """A row of the control slip: who held the dossier, from when, until when, verdict."""

    seq: int
    code: str | None
    unit_code: str
    started_at: datetime
    allotted: ProcessingTime | None
    due_at: datetime | None = None
    finished_at: datetime | None = None
    handed_to: str | None = None
    verdict: Verdict | None = None
    note: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the dossier's history as officials see it."""

    at: datetime
    what: str
    unit_code: str | None = None
    detail: str | None = None


@dataclass
class TrackedDossier:
    """Everything tracking knows about one dossier."""

    code: str
    agency_code: str
    procedure_name: str
    clock: DossierClock
    counting_from: datetime
    appointment_at: datetime
    status: DossierStatus
    steps: list[Step]
    last_event_at: datetime
    plan: dict[str, datetime] = field(default_factory=dict)
    timers: list[Timer] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    correlation: str = ""
    finished_at: datetime | None = None
    ended_by: str | None = None
    verdict: Verdict | None = None
    responsible_unit: str | None = None
    result_returned_at: datetime | None = None
    apology_required_at: datetime | None = None
    escalations: list[str] = field(default_factory=list)
    revision: int = 0

    @classmethod
    def receive(
        cls,
        *,
        code: str,
        agency_code: str,
        unit_code: str,
        procedure_name: str,
        terms: ProcedureTerms,
        policy: SupplementPolicy,
        received_at: datetime,
        calendar: WorkingCalendar,
        rules: Rules,
    ) -> tuple[TrackedDossier, list[Outcome]]:
        """A dossier just received, with its appointment and step plan."""
        clock = DossierClock(received_at, terms, policy)
        due = clock.due(calendar)
        assert due is not None
        counting_from = calendar.at(received_at).counting_start(received_at, terms.cutoff)
        planned = step_due_times(calendar.at(received_at), received_at, terms)
        first = planned[0] if planned else None
        step = Step(
            1,
            first.code if first else None,
            unit_code,
            received_at,
            terms.steps[0].allotted if terms.steps else None,
            first.due_at if first else due,
        )
        dossier = cls(
            code=code,
            agency_code=agency_code,
            procedure_name=procedure_name,
            clock=clock,
            counting_from=counting_from,
            appointment_at=due,
            status=status_after(DossierStatus.NEWLY_REGISTERED, LifecycleStep.RECEIVED),
            steps=[step],
            last_event_at=received_at,
            plan={item.code: item.due_at for item in planned},
        )
        dossier._note(received_at, "received", unit_code)
        dossier._replan(calendar, rules)
        return dossier, [DeadlineFixed(received_at, due, counting_from, planned, unit_code)]

    @property
    def terms(self) -> ProcedureTerms:
        """The procedure terms fixed at reception."""
        return self.clock.terms

    @property
    def is_open(self) -> bool:
        """Whether the clock still runs (or waits for a supplement)."""
        return self.finished_at is None

    @property
    def current_step(self) -> Step:
        """The step the dossier is in (the last one)."""
        return self.steps[-1]

    @property
    def holder(self) -> str:
        """The unit holding the dossier."""
        return self.current_step.unit_code

    def due(self, calendar: WorkingCalendar, until: datetime | None = None) -> datetime | None:
        """The statutory appointment with pauses applied (what verdicts are judged against);
        with `until`, a pending supplement counts as ended then."""
        return self._clock_until(until).due(calendar)

    def standing(
        self, calendar: WorkingCalendar, now: datetime, granularity: Granularity
    ) -> Standing | None:
        """Where the dossier stands at `now` against its statutory appointment (None once
        the clock stopped): the shared rule (`motcua.verdicts.standing`), so the look-ups
        and scoring's open-dossier list and overdue count agree. Due soon also once a
        dossier-level warning for this due time stands (as scoring reads it)."""
        if not self.is_open:
            return None
        due = self.due(calendar)
        return standing_at(due, now, granularity, warned=due is not None and self._warned(due))

    def _warned(self, due: datetime) -> bool:
        return any(
            timer.scope == "dossier"
            and timer.due_at >= due
            and any(alert.alert_type in _WARNINGS for alert in timer.sent)
            for timer in self.timers
        )

    def promised_due(
        self, calendar: WorkingCalendar, until: datetime | None = None
    ) -> datetime | None:
        """The apology's re-appointment with later pauses applied (None: never re-appointed)."""
        return self._clock_until(until).promised(calendar)

    def step_due(
        self, step: Step, calendar: WorkingCalendar, until: datetime | None = None
    ) -> datetime | None:
        """A step's due time: its allotment from its start, moved by pauses within it."""
        if step.allotted is None:
            return self.due(calendar, until)
        cutoff = self.terms.cutoff if step.seq == 1 else _NO_CUTOFF
        terms = ProcedureTerms(step.code or "", step.allotted, (), cutoff)
        clock = DossierClock(
            step.started_at,
            terms,
            self.clock.policy,
            self._suspensions_within(step.started_at, until),
        )
        return clock.due(calendar)

    def ended_at(self, alert: DueSoonReached | OverdueReached) -> datetime | None:
        """When what the alert warns of ended, if it has: its step, else the dossier."""
        step = next((s for s in self.steps if s.seq == alert.step_seq), None)
        if step is not None and step.finished_at is not None:
            return step.finished_at
        return self.finished_at

    def advance(self, until: datetime, now: datetime) -> list[Outcome]:
        """Fire every pending timer due by `until`, in order; `now` is recorded as fired time."""
        due = sorted(
            (timer for timer in self.timers if timer.pending and timer.fire_at <= until),
            key=lambda timer: (timer.fire_at, timer.scope != "dossier", timer.kind),
        )
        outcomes: list[Outcome] = []
        for timer in due:
            timer.fire(now)
            outcomes += self._fired(timer)
        return outcomes

    def transfer(
        self,
        *,
        at: datetime,
        now: datetime,
        from_unit: str,
        to_unit: str,
        step_code: str | None,
        note: str | None,
        calendar: WorkingCalendar,
        rules: Rules,
    ) -> list[Outcome]:
        """A handover: the current step ends with its verdict and the next one starts."""
        self._check(at, "transfer")
        current = self.current_step
        if from_unit != current.unit_code:
            raise Rejection(
                "not_holder",
                f"{from_unit} handed over the dossier but {current.unit_code} holds it",
            )
        outcomes = self.advance(min(at, now), now)
        outcomes.append(self._end_step(current, at, calendar, rules, handed_to=to_unit))
        code = step_code or self._next_planned(current.code)
        allotted = self._allotment(code)
        step = Step(current.seq + 1, code, to_unit, at, allotted, note=note)
        self.steps.append(step)
        step.due_at = self.step_due(step, calendar)
        if code is not None and allotted is not None:
            planned = self.plan.get(code)
            self.plan.update(
                {
                    item.code: item.due_at
                    for item in replan_after_handover(calendar.at(at), self.terms, code, at)
                }
            )
            if step.due_at is not None and planned is not None and planned != step.due_at:
                outcomes.append(DueMoved(at, "step", code, planned, step.due_at, "transfer"))
        self.status = status_after(self.status, LifecycleStep.TRANSFERRED)
        self.last_event_at = at
        self._note(at, "transferred", to_unit, f"from {from_unit}" + (f": {note}" if note else ""))
        self._replan(calendar, rules)
        return outcomes

    def request_supplement(
        self,
        *,
        at: datetime,
        now: datetime,
        unit_code: str,
        calendar: WorkingCalendar,
        rules: Rules,
    ) -> list[Outcome]:
        """The citizen is asked for missing papers: the clocks stop."""
        self._check(at, "supplement request")
        if self.clock.is_suspended:
            raise Rejection("supplement_pending", "a supplement request is already pending")
        outcomes = self.advance(min(at, now), now)
        step = self.current_step
        old_due, old_step_due = self.due(calendar), self.step_due(step, calendar)
        self.clock = self.clock.suspend(at)
        step.due_at = None
        outcomes.append(DueMoved(at, "dossier", None, old_due, None, "supplement_paused"))
        if step.allotted is not None:
            outcomes.append(
                DueMoved(at, "step", step.code, old_step_due, None, "supplement_paused")
            )
        self.status = status_after(self.status, LifecycleStep.SUPPLEMENT_REQUESTED)
        self.last_event_at = at
        self._note(at, "supplement_requested", unit_code)
        self._replan(calendar, rules)
        return outcomes

    def receive_supplement(
        self, *, at: datetime, now: datetime, calendar: WorkingCalendar, rules: Rules
    ) -> list[Outcome]:
        """The complete dossier arrived: the clocks run again (paused or restarted)."""
        self._check(at, "supplement")
        if not self.clock.is_suspended:
            raise Rejection("no_pending_supplement", "no supplement request is pending")
        if at < self.clock.suspensions[-1].requested_at:
            raise Rejection("out_of_order", "the supplement cannot arrive before it was requested")
        outcomes = self.advance(min(at, now), now)
        before = replace(self.clock, suspensions=self.clock.suspensions[:-1]).due(calendar)
        step = self.current_step
        self.clock = self.clock.resume(at)
        cause = (
            "supplement_restarted"
            if self.clock.policy is SupplementPolicy.RESTART
            else "supplement_resumed"
        )
        outcomes.append(DueMoved(at, "dossier", None, before, self.due(calendar), cause))
        step.due_at = self.step_due(step, calendar)
        if step.allotted is not None:
            outcomes.append(DueMoved(at, "step", step.code, None, step.due_at, cause))
        self.status = status_after(self.status, LifecycleStep.SUPPLEMENT_RECEIVED)
        self.last_event_at = at
        self._note(at, "supplement_received")
        self._replan(calendar, rules)
        return outcomes

    def file_apology(
        self,
        *,
        at: datetime,
        now: datetime,
        unit_code: str,
        reason: str,
        new_due: datetime,
        calendar: WorkingCalendar,
        rules: Rules,
        signed_by: str | None = None,
    ) -> list[Outcome]:
        """An apology with a new appointment (once); late if the statutory one had passed.

        The re-appointment is a promise of its own: the statutory appointment, the
        verdicts and the overdue alerts stay where they were."""
        self._check(at, "apology")
        current = self.due(calendar)
        if self.clock.reappointment is not None:
            raise Rejection(
                "already_reappointed",
                "the dossier was already re-appointed once; a second re-appointment is refused",
            )
        if not reason.strip():
            raise Rejection("apology_reason_missing", "an apology must state the reason")
        if current is None:
            raise Rejection(
                "supplement_pending", "a supplement is awaited; re-appoint once it arrives"
            )
        if new_due <= current:
            raise Rejection(
                "new_appointment_not_later",
                f"the new appointment {new_due.isoformat()} is not after {current.isoformat()}",
            )
        accepted = self.clock.reappoint(calendar, new_due, at, reason)
        if isinstance(accepted, ApologyRejected):
            raise Rejection("apology_rejected", accepted.reason)
        outcomes = self.advance(min(at, now), now)
        self.clock = accepted
        late = accepted.reappointment is not None and accepted.reappointment.issued_late
        outcomes.append(
            Reappointed(at, unit_code, reason.strip(), current, new_due, late, signed_by)
        )
        outcomes.append(DueMoved(at, "dossier", None, current, new_due, "apology"))
        self.last_event_at = at
        self._note(at, "apology_issued", unit_code, "late" if late else None)
        self._replan(calendar, rules)
        return outcomes

    def finish(
        self,
        *,
        at: datetime,
        now: datetime,
        ended_by: str,
        status: DossierStatus,
        unit_code: str | None,
        calendar: WorkingCalendar,
        rules: Rules,
    ) -> list[Outcome]:
        """The clock stops (processing finished, refused or withdrawn): the verdicts."""
        self._check(at, ended_by.replace("_", " "))
        outcomes = self.advance(min(at, now), now)
        outcomes.append(self._end_step(self.current_step, at, calendar, rules))
        due = self.due(calendar, until=at)
        assert due is not None
        judged = verdict(at, due, rules.granularity)
        responsible = self._responsible(due, at) if judged is Verdict.LATE else None
        self.finished_at, self.ended_by, self.verdict = at, ended_by, judged
        self.responsible_unit, self.status, self.last_event_at = responsible, status, at
        judgement = self.judgement(calendar, rules)
        assert judgement is not None
        outcomes.append(judgement)
        self._note(at, ended_by, unit_code, judged.value)
        self._replan(calendar, rules)
        return outcomes

    def judgement(self, calendar: WorkingCalendar, rules: Rules) -> DossierJudged | None:
        """The verdict of a dossier whose clock stopped, as published (None while open)."""
        at, judged, ended_by = self.finished_at, self.verdict, self.ended_by
        if at is None or judged is None or ended_by is None:
            return None
        due = self.due(calendar, until=at)
        assert due is not None
        promise = self.promised_due(calendar, until=at)
        kept = (
            None if promise is None else verdict(at, promise, rules.granularity) is not Verdict.LATE
        )
        return DossierJudged(
            at,
            judged,
            ended_by,
            at,
            due,
            self._working_days(calendar, at),
            self.responsible_unit,
            self._apology_standing(judged),
            promise,
            kept,
        )

    def return_result(self, *, at: datetime) -> None:
        """The result was handed to the citizen."""
        if self.finished_at is None:
            raise Rejection("result_before_finish", "no result: processing is not finished")
        if at < self.finished_at:
            raise Rejection("out_of_order", "the result cannot be returned before it was ready")
        self.status = status_after(self.status, LifecycleStep.RESULT_RETURNED)
        self.result_returned_at = at
        self._note(at, "result_returned")

    def set_financial_obligation(self, *, at: datetime, paid: bool) -> None:
        """A fee or tax is due (status 6) or was paid (back to processing)."""
        if self.status is DossierStatus.RESULT_RETURNED:
            raise Rejection("dossier_closed", "the result was already returned")
        step = LifecycleStep.FINANCIAL_OBLIGATION_SET
        if paid:
            step = LifecycleStep.FINANCIAL_OBLIGATION_PAID
        self.status = status_after(self.status, step)
        self._note(at, "financial_obligation_paid" if paid else "financial_obligation_set")

    def recalendar(
        self,
        *,
        old: WorkingCalendar,
        new: WorkingCalendar,
        at: datetime,
        rules: Rules,
    ) -> list[Outcome]:
        """Due times under a changed calendar, with the moves they make."""
        if not self.is_open:
            return []
        outcomes: list[Outcome] = []
        before, after = self.due(old), self.due(new)
        if before != after:
            outcomes.append(DueMoved(at, "dossier", None, before, after, "calendar_changed"))
        step = self.current_step
        if step.allotted is not None:
            step_before, step_after = self.step_due(step, old), self.step_due(step, new)
            if step_before != step_after:
                outcomes.append(
                    DueMoved(at, "step", step.code, step_before, step_after, "calendar_changed")
                )
        step.due_at = self.step_due(step, new)
        if outcomes:
            self._note(at, "calendar_changed")
        self._replan(new, rules)
        return outcomes

    def _clock_until(self, until: datetime | None) -> DossierClock:
        clock = self.clock
        if until is not None and clock.is_suspended:
            clock = clock.resume(max(until, clock.suspensions[-1].requested_at))
        return clock

    def _apology_standing(self, judged: Verdict) -> ApologyStanding:
        item = self.clock.reappointment
        if item is not None:
            return ApologyStanding.LATE if item.issued_late else ApologyStanding.IN_TIME
        return ApologyStanding.MISSING if judged is Verdict.LATE else ApologyStanding.NOT_NEEDED

    def _check(self, at: datetime, what: str) -> None:
        if not self.is_open:
            raise Rejection("dossier_closed", f"a {what} after the dossier's clock stopped")
        if at < self.last_event_at:
            raise Rejection(
                "out_of_order",
                f"a {what} at {at.isoformat()} precedes the last recorded event "
                f"({self.last_event_at.isoformat()})",
            )

    def _end_step(
        self,
        step: Step,
        at: datetime,
        calendar: WorkingCalendar,
        rules: Rules,
        handed_to: str | None = None,
    ) -> StepJudged:
        due = self.step_due(step, calendar, until=at)
        assert due is not None
        step.finished_at, step.due_at, step.handed_to = at, due, handed_to
        step.verdict = verdict(at, due, rules.granularity)
        return StepJudged(at, step.code, step.unit_code, step.started_at, at, due, step.verdict)

    def _responsible(self, due: datetime, at: datetime) -> str:
        for step in self.steps:
            ended = step.finished_at or at
            if step.allotted is not None and step.due_at is not None and ended > step.due_at:
                return step.unit_code
        for step in self.steps:
            if step.started_at <= due < (step.finished_at or at):
                return step.unit_code
        return self.holder

    def _working_days(self, calendar: WorkingCalendar, at: datetime) -> float:
        used = calendar.office_days_between(self.counting_from, at)
        for item in self.clock.suspensions:
            resumed = item.resumed_at or at
            used -= calendar.office_days_between(item.requested_at, min(resumed, at))
        return round(max(used, 0), 4)

    def _suspensions_within(
        self, start: datetime, until: datetime | None
    ) -> tuple[Suspension, ...]:
        clipped: list[Suspension] = []
        for item in self.clock.suspensions:
            resumed = item.resumed_at
            if until is not None and (resumed is None or resumed > until):
                resumed = until
            if resumed is not None and resumed <= start:
                continue
            requested = max(item.requested_at, start)
            if until is not None and requested > until:
                continue
            clipped.append(Suspension(requested, resumed))
        return tuple(clipped)

    def _next_planned(self, code: str | None) -> str | None:
        codes = [step.code for step in self.terms.steps]
        if code not in codes:
            return None
        index = codes.index(code) + 1
        return codes[index] if index < len(codes) else None

    def _allotment(self, code: str | None) -> ProcessingTime | None:
        return next((step.allotted for step in self.terms.steps if step.code == code), None)

    def _fired(self, timer: Timer) -> list[Outcome]:
        step = self.current_step
        code = step.code if timer.scope == "step" else None
        seq = step.seq if timer.scope == "step" else None
        if timer.kind is TimerKind.REAPPOINTMENT_OVERDUE:
            self._note(timer.fire_at, "reappointment_overdue", self.holder)
            return [self._escalate(timer, "overdue_after_reappointment")]
        if timer.kind is TimerKind.OVERDUE:
            self._note(timer.fire_at, f"{timer.scope}_overdue", self.holder)
            outcomes: list[Outcome] = [
                OverdueReached(
                    timer.fire_at, timer.scope, code, self.holder, timer.due_at, timer.key, seq
                )
            ]
            if timer.scope == "dossier" and self.clock.reappointment is None:
                outcomes.append(self._escalate(timer, "no_apology_by_appointment"))
            return outcomes
        self._note(timer.fire_at, f"{timer.scope}_due_soon", self.holder)
        outcomes = [
            DueSoonReached(
                timer.fire_at, timer.scope, code, self.holder, timer.due_at, timer.key, seq
            )
        ]
        owes_apology = (
            timer.scope == "dossier"
            and timer.kind is TimerKind.DUE_SOON
            and self.clock.reappointment is None
            and self.apology_required_at is None
        )
        if owes_apology:
            self.apology_required_at = timer.fire_at
            outcomes.append(ApologyOwed(timer.fire_at, self.holder, timer.due_at, timer.key))
        return outcomes

    def _escalate(self, timer: Timer, reason: str) -> Escalated:
        self.escalations.append(reason)
        return Escalated(timer.fire_at, self.holder, timer.due_at, reason, timer.key)

    def _replan(self, calendar: WorkingCalendar, rules: Rules) -> None:
        """Re-plan the alert timers for the due times as they now stand (`timer_planning`)."""
        wanted: list[Timer] = []
        shares, step = rules.due_soon_shares, self.current_step
        if self.is_open:
            wanted += dossier_timers(calendar, shares, self.clock, self.counting_from)
            if step.allotted is not None and step.due_at is not None:
                start, due = step.started_at, step.due_at
                wanted += step_timers(calendar, shares, step.seq, start, due, self.counting_from)
        self.timers = reconcile(self.timers, wanted)

    def _note(
        self, at: datetime, what: str, unit_code: str | None = None, detail: str | None = None
    ) -> None:
        self.history.append(HistoryEntry(at, what, unit_code, detail))
