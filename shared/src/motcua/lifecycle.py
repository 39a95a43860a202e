"""The dossier lifecycle over the ten DVCQG statuses: one table for every service.

Each step of a dossier's life (one event of the contract, or one variant of it) is
allowed from some statuses and leads to one status, or keeps the status it found
(brief, decision 10; the DVCQG codes in brief `dvcqg.md`). Intake refuses a step its
dossier's status does not allow (`apply`); a service that only follows intake's
events takes the status the step leads to (`status_after`). Both read `RULES`.

Choices where the sources leave room:

* Withdrawal at the citizen's request is status 7, a stop because the conditions are
  not met is 8 (`DossierWithdrawn.kind` "withdrawn" or "stopped"). Both close the
  dossier and may come from any open status.
* Refused at reception is status 3 (not received); refused after appraisal is a
  result with written reasons (Decree 61 Art. 19(8)), so status 9: the refusal is
  handed to the citizen like any result (10).
* A reception-time deficiency notice (form 02 before receipt) does not change the
  status: the dossier stays "newly registered" until it is received or refused.
  A supplement is requested once the dossier is received (2) or processing (4), and
  its arrival always resumes processing (4).
* A financial obligation (6) is set only while processing (4) and payment resumes
  processing (4). Status 9 is never reopened: it is the end time of the Decision 766
  index, so a result held back until payment after 9 is not a status.
* An apology is accepted while the dossier is received and open (2, 4, 5, 6); before
  receipt there is no appointment to apologise for.
* A satisfaction rating is accepted on every closed dossier (3, 7, 8, 9, 10).
* A transfer moves a received dossier to processing and, during processing, records
  a handover without changing the status.

Standard library only, so a service's pure domain may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from motcua.vocabulary import DossierStatus

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "RULES",
    "TRANSITIONS",
    "LifecycleStep",
    "StepRule",
    "TransitionRejected",
    "allowed_steps",
    "apply",
    "is_allowed",
    "status_after",
    "step_of",
]


class LifecycleStep(StrEnum):
    """What happened to a dossier: one event of the dossier topic, or one variant of it."""

    RECEIVED = "received"
    REFUSED = "refused"
    REFUSED_AFTER_APPRAISAL = "refused_after_appraisal"
    TRANSFERRED = "transferred"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    FINANCIAL_OBLIGATION_SET = "financial_obligation_set"
    FINANCIAL_OBLIGATION_PAID = "financial_obligation_paid"
    PROCESSING_FINISHED = "processing_finished"
    RESULT_RETURNED = "result_returned"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    SATISFACTION_RATED = "satisfaction_rated"
    APOLOGY_FILED = "apology_filed"


@dataclass(frozen=True, slots=True)
class StepRule:
    """The statuses a step is allowed from and the status it leads to (None: unchanged)."""

    step: LifecycleStep
    allowed_from: frozenset[DossierStatus]
    leads_to: DossierStatus | None


_S = DossierStatus
_L = LifecycleStep

OPEN_STATUSES = frozenset(
    {
        _S.NEWLY_REGISTERED,
        _S.RECEIVED,
        _S.PROCESSING,
        _S.SUPPLEMENT_REQUESTED,
        _S.FINANCIAL_OBLIGATION,
    }
)
CLOSED_STATUSES = frozenset(DossierStatus) - OPEN_STATUSES

_RECEIVED_OPEN = OPEN_STATUSES - {_S.NEWLY_REGISTERED}


def _rule(
    step: LifecycleStep, allowed_from: Iterable[DossierStatus], leads_to: DossierStatus | None
) -> StepRule:
    return StepRule(step, frozenset(allowed_from), leads_to)


RULES: MappingProxyType[LifecycleStep, StepRule] = MappingProxyType(
    {
        rule.step: rule
        for rule in (
            _rule(_L.RECEIVED, {_S.NEWLY_REGISTERED}, _S.RECEIVED),
            _rule(_L.REFUSED, {_S.NEWLY_REGISTERED, _S.RECEIVED}, _S.NOT_RECEIVED),
            _rule(
                _L.REFUSED_AFTER_APPRAISAL,
                {_S.RECEIVED, _S.PROCESSING, _S.SUPPLEMENT_REQUESTED},
                _S.PROCESSING_FINISHED,
            ),
            _rule(_L.TRANSFERRED, {_S.RECEIVED, _S.PROCESSING}, _S.PROCESSING),
            _rule(_L.SUPPLEMENT_REQUESTED, {_S.RECEIVED, _S.PROCESSING}, _S.SUPPLEMENT_REQUESTED),
            _rule(_L.SUPPLEMENT_RECEIVED, {_S.SUPPLEMENT_REQUESTED}, _S.PROCESSING),
            _rule(_L.FINANCIAL_OBLIGATION_SET, {_S.PROCESSING}, _S.FINANCIAL_OBLIGATION),
            _rule(_L.FINANCIAL_OBLIGATION_PAID, {_S.FINANCIAL_OBLIGATION}, _S.PROCESSING),
            _rule(_L.PROCESSING_FINISHED, {_S.RECEIVED, _S.PROCESSING}, _S.PROCESSING_FINISHED),
            _rule(_L.RESULT_RETURNED, {_S.PROCESSING_FINISHED}, _S.RESULT_RETURNED),
            _rule(_L.WITHDRAWN, OPEN_STATUSES, _S.WITHDRAWAL_REQUESTED),
            _rule(_L.STOPPED, OPEN_STATUSES, _S.STOPPED),
            _rule(_L.APOLOGY_FILED, _RECEIVED_OPEN, None),
            _rule(_L.SATISFACTION_RATED, CLOSED_STATUSES, None),
        )
    }
)
"""Every step's rule, by step: the one table statuses are derived from."""

TRANSITIONS: MappingProxyType[tuple[DossierStatus, LifecycleStep], DossierStatus] = (
    MappingProxyType(
        {
            (origin, rule.step): origin if rule.leads_to is None else rule.leads_to
            for rule in RULES.values()
            for origin in sorted(rule.allowed_from)
        }
    )
)
"""(status, step) → the status after it, for every allowed pair."""

# The contract's event types (motcua.events), with the field value that picks a variant.
_STEPS_OF_EVENTS: MappingProxyType[tuple[str, str | None], LifecycleStep] = MappingProxyType(
    {
        ("dossier.received", None): _L.RECEIVED,
        ("dossier.refused", "reception"): _L.REFUSED,
        ("dossier.refused", "appraisal"): _L.REFUSED_AFTER_APPRAISAL,
        ("dossier.transferred", None): _L.TRANSFERRED,
        ("dossier.supplement-requested", None): _L.SUPPLEMENT_REQUESTED,
        ("dossier.supplement-received", None): _L.SUPPLEMENT_RECEIVED,
        ("dossier.financial-obligation-set", None): _L.FINANCIAL_OBLIGATION_SET,
        ("dossier.financial-obligation-paid", None): _L.FINANCIAL_OBLIGATION_PAID,
        ("dossier.processing-finished", None): _L.PROCESSING_FINISHED,
        ("dossier.result-returned", None): _L.RESULT_RETURNED,
        ("dossier.withdrawn", "withdrawn"): _L.WITHDRAWN,
        ("dossier.withdrawn", "stopped"): _L.STOPPED,
        ("dossier.satisfaction-rated", None): _L.SATISFACTION_RATED,
        ("dossier.apology-filed", None): _L.APOLOGY_FILED,
    }
)


class TransitionRejected(Exception):
    """A step that the dossier's current status does not allow."""

    code = "transition_not_allowed"

    def __init__(self, status: DossierStatus, step: LifecycleStep) -> None:
        self.status = status
        self.step = step
        self.message_vi = (
            f"Không thể ghi nhận sự kiện '{step.value}' khi hồ sơ đang ở trạng thái "
            f"{status.value} ({status.label_vi})"
        )
        self.message_en = (
            f"event '{step.value}' is not allowed in status {status.value} ({status.label_en})"
        )
        super().__init__(f"{self.message_vi} / {self.message_en}")


def step_of(event_type: str, variant: str | None = None) -> LifecycleStep:
    """The step an event of the contract records.

    `variant` is the field that splits an event type: `stage` of "dossier.refused",
    `kind` of "dossier.withdrawn" (None elsewhere). Raises KeyError for anything else.
    """
    try:
        return _STEPS_OF_EVENTS[(event_type, variant)]
    except KeyError:
        raise KeyError(f"no lifecycle step for {event_type!r} ({variant!r})") from None


def is_allowed(status: DossierStatus, step: LifecycleStep) -> bool:
    """Whether `step` may happen to a dossier in `status`."""
    return status in RULES[step].allowed_from


def allowed_steps(status: DossierStatus) -> frozenset[LifecycleStep]:
    """Every step a dossier in `status` accepts."""
    return frozenset(rule.step for rule in RULES.values() if status in rule.allowed_from)


def status_after(status: DossierStatus, step: LifecycleStep) -> DossierStatus:
    """The status `step` leads to from `status`, without checking that it is allowed."""
    leads_to = RULES[step].leads_to
    return status if leads_to is None else leads_to


def apply(status: DossierStatus, step: LifecycleStep | str) -> DossierStatus:
    """The status after `step`; raises TransitionRejected if `status` does not allow it.

    A string not naming a step raises ValueError.
    """
    kind = LifecycleStep(step)
    if not is_allowed(status, kind):
        raise TransitionRejected(status, kind)
    return status_after(status, kind)
