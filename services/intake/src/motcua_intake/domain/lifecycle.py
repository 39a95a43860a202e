"""The dossier state machine over the ten DVCQG statuses (brief §1).

Choices where the sources leave room:

* A reception-time deficiency notice (form 02 before receipt) does not change the
  status: the dossier stays "newly registered" until it is received or refused.
  `supplement_requested` applies once the dossier is received (2) or processing (4),
  and `supplement_received` always resumes processing (4).
* A financial obligation (6) is set only while processing (4) and payment resumes
  processing (4). The obligation is assessed during processing (a tax notice after
  appraisal), and the wait for payment pauses the clock like a supplement does.
  Status 9 is never reopened: it is the end time of the Decision 766 index, so a
  result held back until payment after 9 is the service's business, not a status.
* Withdrawal: `withdrawal_requested` records the citizen's request (7) while the
  decision is pending; `withdrawn` is the stop notice (8) and may follow 7 or come
  straight from any open status. From 7, `processing_finished` is still accepted:
  a decision already issued cannot be withdrawn.
* `refused` is accepted at reception (1), after receipt (2), during processing (4,
  refusal after appraisal) and while waiting for a supplement that never comes (5).
* `apology_filed` is accepted while the dossier is received and not finished
  (2, 4, 5, 6, 7); before receipt there is no appointment to apologise for.
* `satisfaction_rated` is accepted on every closed dossier (3, 8, 9, 10).
* `transferred` moves a received dossier to processing and, during processing,
  records each handover without changing the status.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from motcua.vocabulary import DossierStatus

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "DossierStatus",
    "EventKind",
    "TransitionRejected",
    "allowed_events",
    "apply",
    "is_allowed",
]


class EventKind(StrEnum):
    """What happened to a dossier; each kind is one event of the dossier topic."""

    RECEIVED = "received"
    REFUSED = "refused"
    TRANSFERRED = "transferred"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    FINANCIAL_OBLIGATION_SET = "financial_obligation_set"
    FINANCIAL_OBLIGATION_PAID = "financial_obligation_paid"
    PROCESSING_FINISHED = "processing_finished"
    RESULT_RETURNED = "result_returned"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    WITHDRAWN = "withdrawn"
    SATISFACTION_RATED = "satisfaction_rated"
    APOLOGY_FILED = "apology_filed"


_S = DossierStatus
_E = EventKind

OPEN_STATUSES = frozenset(
    {
        _S.NEWLY_REGISTERED,
        _S.RECEIVED,
        _S.PROCESSING,
        _S.SUPPLEMENT_REQUESTED,
        _S.FINANCIAL_OBLIGATION,
        _S.WITHDRAWAL_REQUESTED,
    }
)
CLOSED_STATUSES = frozenset(DossierStatus) - OPEN_STATUSES

_WITHDRAWABLE = OPEN_STATUSES - {_S.WITHDRAWAL_REQUESTED}
_APOLOGISABLE = OPEN_STATUSES - {_S.NEWLY_REGISTERED}

_MOVES: dict[tuple[DossierStatus, EventKind], DossierStatus] = {
    (_S.NEWLY_REGISTERED, _E.RECEIVED): _S.RECEIVED,
    (_S.NEWLY_REGISTERED, _E.REFUSED): _S.NOT_RECEIVED,
    (_S.RECEIVED, _E.REFUSED): _S.NOT_RECEIVED,
    (_S.RECEIVED, _E.TRANSFERRED): _S.PROCESSING,
    (_S.RECEIVED, _E.SUPPLEMENT_REQUESTED): _S.SUPPLEMENT_REQUESTED,
    (_S.RECEIVED, _E.PROCESSING_FINISHED): _S.PROCESSING_FINISHED,
    (_S.PROCESSING, _E.TRANSFERRED): _S.PROCESSING,
    (_S.PROCESSING, _E.REFUSED): _S.NOT_RECEIVED,
    (_S.PROCESSING, _E.SUPPLEMENT_REQUESTED): _S.SUPPLEMENT_REQUESTED,
    (_S.PROCESSING, _E.FINANCIAL_OBLIGATION_SET): _S.FINANCIAL_OBLIGATION,
    (_S.PROCESSING, _E.PROCESSING_FINISHED): _S.PROCESSING_FINISHED,
    (_S.SUPPLEMENT_REQUESTED, _E.SUPPLEMENT_RECEIVED): _S.PROCESSING,
    (_S.SUPPLEMENT_REQUESTED, _E.REFUSED): _S.NOT_RECEIVED,
    (_S.FINANCIAL_OBLIGATION, _E.FINANCIAL_OBLIGATION_PAID): _S.PROCESSING,
    (_S.WITHDRAWAL_REQUESTED, _E.WITHDRAWN): _S.STOPPED,
    (_S.WITHDRAWAL_REQUESTED, _E.PROCESSING_FINISHED): _S.PROCESSING_FINISHED,
    (_S.PROCESSING_FINISHED, _E.RESULT_RETURNED): _S.RESULT_RETURNED,
}
_MOVES |= {(status, _E.WITHDRAWAL_REQUESTED): _S.WITHDRAWAL_REQUESTED for status in _WITHDRAWABLE}
_MOVES |= {(status, _E.WITHDRAWN): _S.STOPPED for status in _WITHDRAWABLE}
_MOVES |= {(status, _E.APOLOGY_FILED): status for status in _APOLOGISABLE}
_MOVES |= {(status, _E.SATISFACTION_RATED): status for status in CLOSED_STATUSES}

TRANSITIONS = MappingProxyType(_MOVES)


class TransitionRejected(Exception):
    """An event that the dossier's current status does not allow."""

    code = "transition_not_allowed"

    def __init__(self, status: DossierStatus, event: EventKind) -> None:
        self.status = status
        self.event = event
        self.message_vi = (
            f"Không thể ghi nhận sự kiện '{event.value}' khi hồ sơ đang ở trạng thái "
            f"{status.value} ({status.label_vi})"
        )
        self.message_en = (
            f"event '{event.value}' is not allowed in status {status.value} ({status.label_en})"
        )
        super().__init__(f"{self.message_vi} / {self.message_en}")


def is_allowed(status: DossierStatus, event: EventKind) -> bool:
    """Whether `event` may happen to a dossier in `status`."""
    return (status, event) in TRANSITIONS


def allowed_events(status: DossierStatus) -> frozenset[EventKind]:
    """Every event a dossier in `status` accepts."""
    return frozenset(event for (origin, event) in TRANSITIONS if origin == status)


def apply(status: DossierStatus, event: EventKind | str) -> DossierStatus:
    """The status after `event`; raises TransitionRejected if `status` does not allow it.

    A string not naming an event kind raises ValueError.
    """
    kind = EventKind(event)
    try:
        return TRANSITIONS[(status, kind)]
    except KeyError:
        raise TransitionRejected(status, kind) from None
