"""What scoring knows about one dossier, and the pure updates that build it.

Each update is a join: applying it twice changes nothing, and applying a set of
updates in any order gives the same facts. When two reports of one kind disagree, a
fixed rule picks the survivor (the earliest reception; the deadline change and the
verdict of the highest revision, then the latest; ...), so a replay always lands on the
same facts. A correction from tracking carries a higher revision, so it stands whatever
order it arrives in.

All instants are timezone-aware and stored in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from motcua.vocabulary import ApologyStanding, Channel, Verdict

__all__ = [
    "DISLIKED_UP_TO",
    "PROCESSING_DAYS_QUANTUM",
    "SATISFIED_FROM",
    "AlertFired",
    "AlertKind",
    "AlertWithdrawn",
    "ApologyIssued",
    "DeadlineSet",
    "DossierFacts",
    "FactUpdate",
    "Identity",
    "ObligationSet",
    "Paid",
    "PaymentMethod",
    "ProcessingFinished",
    "Rated",
    "Reappointed",
    "Received",
    "Refused",
    "ResultReturned",
    "SupplementReceived",
    "SupplementRequested",
    "Transferred",
    "VerdictGiven",
    "Withdrawn",
    "apply",
    "apply_all",
    "apply_deadline",
    "apply_finished",
    "apply_paid",
    "apply_rated",
    "apply_reappointed",
    "apply_received",
    "apply_refused",
    "apply_transferred",
    "apply_verdict",
    "utc",
]

PROCESSING_DAYS_QUANTUM = Decimal("0.001")
SATISFIED_FROM = 4
DISLIKED_UP_TO = 2


class PaymentMethod(StrEnum):
    ONLINE = "online"
    COUNTER = "counter"


def utc(instant: datetime) -> datetime:
    """The same instant in UTC; rejects naive datetimes."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(UTC)


class _Stamped:
    """Normalises the ``at`` field of an update to UTC."""

    at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc(self.at))


@dataclass(frozen=True)
class Identity:
    """Where a dossier is counted: agency, procedure, field, channel and optional unit.

    A reception knows them all. A refusal of a dossier never received may know only
    the agency and unit; it is then counted in the scopes it names and no others.
    """

    agency: str
    procedure: str | None
    field: str | None
    channel: Channel | None
    unit: str | None = None

    def sort_key(self) -> tuple[str, str, str, str, str]:
        """A total order used only to break ties between conflicting reports."""
        channel = self.channel.value if self.channel else ""
        return (self.agency, self.procedure or "", self.field or "", channel, self.unit or "")


@dataclass(frozen=True)
class Received(_Stamped):
    at: datetime
    identity: Identity
    digitised: bool = False


@dataclass(frozen=True)
class Refused(_Stamped):
    """Refused at reception or after appraisal; identity given when never received."""

    at: datetime
    identity: Identity | None = None


@dataclass(frozen=True)
class Transferred(_Stamped):
    at: datetime
    to_unit: str
    to_agency: str | None = None


@dataclass(frozen=True)
class SupplementRequested(_Stamped):
    at: datetime


@dataclass(frozen=True)
class SupplementReceived(_Stamped):
    at: datetime


@dataclass(frozen=True)
class ObligationSet(_Stamped):
    at: datetime


@dataclass(frozen=True)
class Paid(_Stamped):
    at: datetime
    method: PaymentMethod


@dataclass(frozen=True)
class ProcessingFinished(_Stamped):
    at: datetime
    e_result_issued: bool = False


@dataclass(frozen=True)
class ResultReturned(_Stamped):
    at: datetime


@dataclass(frozen=True)
class Withdrawn(_Stamped):
    """Withdrawn at the citizen's request or stopped (status 7 or 8)."""

    at: datetime


@dataclass(frozen=True)
class DeadlineSet(_Stamped):
    """The statutory appointment ``due_at`` as set or changed at ``at``, in tracking's
    ``revision`` of the dossier; None while the clock is paused for a supplement."""

    at: datetime
    due_at: datetime | None
    revision: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.due_at is not None:
            object.__setattr__(self, "due_at", utc(self.due_at))
        if self.revision < 0:
            raise ValueError("a revision cannot be negative")


@dataclass(frozen=True)
class Reappointed(_Stamped):
    """The new appointment an accepted apology promised (``to``); a promise kept or
    broken on its own, never the deadline a dossier is judged by."""

    at: datetime
    to: datetime

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "to", utc(self.to))


@dataclass(frozen=True)
class VerdictGiven(_Stamped):
    """Tracking's verdict against the statutory appointment; processing days are kept to
    a thousandth of a working day. ``apology`` is the apology the verdict found
    (``NOT_NEEDED`` also for verdicts from before tracking reported it),
    ``reappointment_kept`` None when never re-appointed, and a correction carries a
    higher ``revision``."""

    at: datetime
    verdict: Verdict
    processing_days: Decimal
    apology: ApologyStanding = ApologyStanding.NOT_NEEDED
    reappointment_kept: bool | None = None
    revision: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.processing_days < 0:
            raise ValueError("processing days cannot be negative")
        if self.revision < 0:
            raise ValueError("a revision cannot be negative")
        days = self.processing_days.quantize(PROCESSING_DAYS_QUANTUM, rounding=ROUND_HALF_UP)
        object.__setattr__(self, "processing_days", days)


@dataclass(frozen=True)
class ApologyIssued(_Stamped):
    """An apology (form 04); ``late`` when filed after the appointment had passed."""

    at: datetime
    late: bool = False


@dataclass(frozen=True)
class Rated(_Stamped):
    """A satisfaction rating: a score from 1 to 5, a complaint, or both."""

    at: datetime
    score: int | None = None
    complaint: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.score is None and not self.complaint:
            raise ValueError("a rating needs a score or a complaint")
        if self.score is not None and not 1 <= self.score <= 5:
            raise ValueError(f"score {self.score} is outside 1..5")


class AlertKind(StrEnum):
    """Tracking's warnings to officials (the alert types of its events)."""

    DUE_SOON = "tracking.due-soon"
    OVERDUE = "tracking.overdue"
    APOLOGY_REQUIRED = "tracking.apology-required"
    ESCALATED = "tracking.escalated"


@dataclass(frozen=True)
class AlertFired(_Stamped):
    """A due-soon or overdue warning (event ``event_id``) for the due time ``due_at``;
    ``dossier`` False for a step's warning."""

    at: datetime
    event_id: str
    kind: AlertKind
    due_at: datetime
    dossier: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "due_at", utc(self.due_at))


@dataclass(frozen=True)
class AlertWithdrawn(_Stamped):
    """A warning already sent (event ``alert_event_id``) proven wrong by a late event."""

    at: datetime
    alert_event_id: str
    kind: AlertKind
    dossier: bool = True


FactUpdate = (
    Received
    | Refused
    | Transferred
    | SupplementRequested
    | SupplementReceived
    | ObligationSet
    | Paid
    | ProcessingFinished
    | ResultReturned
    | Withdrawn
    | DeadlineSet
    | Reappointed
    | VerdictGiven
    | ApologyIssued
    | Rated
    | AlertFired
    | AlertWithdrawn
)


@dataclass(frozen=True)
class DossierFacts:
    """Everything scoring needs about one dossier, built only by ``apply``."""

    code: str
    reception: Received | None = None
    refused_at: datetime | None = None
    refusal_identity: Identity | None = None
    transfer: Transferred | None = None
    deadline: DeadlineSet | None = None
    reappointment: Reappointed | None = None
    supplement_requests: frozenset[datetime] = frozenset()
    supplements_received: frozenset[datetime] = frozenset()
    obligation_at: datetime | None = None
    paid_at: datetime | None = None
    paid_online_at: datetime | None = None
    finished_at: datetime | None = None
    e_result_issued: bool = False
    returned_at: datetime | None = None
    withdrawn_at: datetime | None = None
    judgement: VerdictGiven | None = None
    apologies: frozenset[ApologyIssued] = frozenset()
    rating: Rated | None = None
    complained_at: datetime | None = None
    alerts: frozenset[AlertFired] = frozenset()
    withdrawals: frozenset[AlertWithdrawn] = frozenset()

    @property
    def identity(self) -> Identity | None:
        """The reception's identity, else the one a refusal carried."""
        return self.reception.identity if self.reception else self.refusal_identity

    @property
    def agency(self) -> str | None:
        """The agency now responsible: the last transfer's, else the reception's."""
        if self.transfer and self.transfer.to_agency:
            return self.transfer.to_agency
        return self.identity.agency if self.identity else None

    @property
    def unit(self) -> str | None:
        """The unit now holding the dossier: the last transfer's, else the reception's."""
        if self.transfer:
            return self.transfer.to_unit
        return self.identity.unit if self.identity else None

    @property
    def procedure(self) -> str | None:
        return self.identity.procedure if self.identity else None

    @property
    def field(self) -> str | None:
        return self.identity.field if self.identity else None

    @property
    def channel(self) -> Channel | None:
        return self.identity.channel if self.identity else None

    @property
    def received_at(self) -> datetime | None:
        return self.reception.at if self.reception else None

    @property
    def digitised(self) -> bool:
        return bool(self.reception and self.reception.digitised)

    @property
    def due_at(self) -> datetime | None:
        """The statutory appointment (pauses applied); None before one is set and while
        the clock is paused."""
        return self.deadline.due_at if self.deadline else None

    @property
    def paused(self) -> bool:
        """The clock is paused for a supplement (no due time: within deadline)."""
        return self.deadline is not None and self.deadline.due_at is None

    @property
    def reappointed_to(self) -> datetime | None:
        """The new appointment an apology promised, if any."""
        return self.reappointment.to if self.reappointment else None

    @property
    def verdict(self) -> Verdict | None:
        return self.judgement.verdict if self.judgement else None

    @property
    def processing_days(self) -> Decimal | None:
        return self.judgement.processing_days if self.judgement else None

    @property
    def end_at(self) -> datetime | None:
        """When handling ended, Decision 766 order: finished, else returned, else the
        earlier of refused and withdrawn/stopped."""
        if self.finished_at:
            return self.finished_at
        if self.returned_at:
            return self.returned_at
        ends = [at for at in (self.refused_at, self.withdrawn_at) if at is not None]
        return min(ends, default=None)

    @property
    def supplement_count(self) -> int:
        return len(self.supplement_requests)

    @property
    def apology_issued(self) -> bool:
        return bool(self.apologies)

    @property
    def apology_late(self) -> bool:
        return any(apology.late for apology in self.apologies)

    @property
    def late_with_apology(self) -> bool | None:
        """For a late verdict, whether the dossier came with an apology (None otherwise).

        The verdict's own finding decides; a verdict from before tracking reported it
        (standing ``NOT_NEEDED`` on a late verdict) falls back to the apologies known.
        """
        judgement = self.judgement
        if judgement is None or judgement.verdict is not Verdict.LATE:
            return None
        if judgement.apology is ApologyStanding.NOT_NEEDED:
            return self.apology_issued
        return judgement.apology is not ApologyStanding.MISSING

    @property
    def reappointment_kept(self) -> bool | None:
        """Whether the dossier ended by its new appointment (None: never re-appointed)."""
        return self.judgement.reappointment_kept if self.judgement else None

    def active_alert(self, kind: AlertKind) -> datetime | None:
        """The latest due time a dossier-level warning of ``kind`` stands for (one
        withdrawn no longer stands)."""
        withdrawn = {w.alert_event_id for w in self.withdrawals}
        dues = [
            alert.due_at
            for alert in self.alerts
            if alert.dossier and alert.kind is kind and alert.event_id not in withdrawn
        ]
        return max(dues, default=None)

    @property
    def has_obligation(self) -> bool:
        """A financial obligation was set (a payment implies one)."""
        return self.obligation_at is not None or self.paid_at is not None

    @property
    def paid_online(self) -> bool:
        return self.paid_online_at is not None

    @property
    def satisfaction_score(self) -> int | None:
        return self.rating.score if self.rating else None

    @property
    def complaint(self) -> bool:
        return self.complained_at is not None

    @property
    def disliked_at(self) -> datetime | None:
        """When the standing rating is a dislike (score 2 or less), its instant."""
        if self.rating and self.rating.score is not None and self.rating.score <= DISLIKED_UP_TO:
            return self.rating.at
        return None


def apply(facts: DossierFacts, update: FactUpdate) -> DossierFacts:
    """The facts after one update; idempotent and order-independent."""
    match update:
        case Received():
            return apply_received(facts, update)
        case Refused():
            return apply_refused(facts, update)
        case Transferred():
            return apply_transferred(facts, update)
        case SupplementRequested():
            return replace(facts, supplement_requests=facts.supplement_requests | {update.at})
        case SupplementReceived():
            return replace(facts, supplements_received=facts.supplements_received | {update.at})
        case ObligationSet():
            return replace(facts, obligation_at=_earliest(facts.obligation_at, update.at))
        case Paid():
            return apply_paid(facts, update)
        case ProcessingFinished():
            return apply_finished(facts, update)
        case ResultReturned():
            return replace(facts, returned_at=_earliest(facts.returned_at, update.at))
        case Withdrawn():
            return replace(facts, withdrawn_at=_earliest(facts.withdrawn_at, update.at))
        case DeadlineSet():
            return apply_deadline(facts, update)
        case Reappointed():
            return apply_reappointed(facts, update)
        case VerdictGiven():
            return apply_verdict(facts, update)
        case ApologyIssued():
            return replace(facts, apologies=facts.apologies | {update})
        case Rated():
            return apply_rated(facts, update)
        case AlertFired():
            return replace(facts, alerts=facts.alerts | {update})
        case AlertWithdrawn():
            return replace(facts, withdrawals=facts.withdrawals | {update})


def apply_all(facts: DossierFacts, updates: Iterable[FactUpdate]) -> DossierFacts:
    """The facts after a sequence of updates."""
    for update in updates:
        facts = apply(facts, update)
    return facts


def apply_received(facts: DossierFacts, update: Received) -> DossierFacts:
    """The earliest reception wins; the digitised flag is kept if any report sets it."""
    current = facts.reception
    digitised = update.digitised or bool(current and current.digitised)
    if current is None or _reception_key(update) < _reception_key(current):
        current = update
    return replace(facts, reception=replace(current, digitised=digitised))


def apply_refused(facts: DossierFacts, update: Refused) -> DossierFacts:
    """The earliest refusal instant; the smallest identity any refusal carried."""
    identity = facts.refusal_identity
    if update.identity and (identity is None or update.identity.sort_key() < identity.sort_key()):
        identity = update.identity
    return replace(
        facts, refused_at=_earliest(facts.refused_at, update.at), refusal_identity=identity
    )


def apply_transferred(facts: DossierFacts, update: Transferred) -> DossierFacts:
    """The latest transfer decides the unit (and agency, when it names one)."""
    if facts.transfer is None or _transfer_key(update) > _transfer_key(facts.transfer):
        return replace(facts, transfer=update)
    return facts


def apply_paid(facts: DossierFacts, update: Paid) -> DossierFacts:
    """The earliest payment, and the earliest online payment."""
    paid_online_at = facts.paid_online_at
    if update.method is PaymentMethod.ONLINE:
        paid_online_at = _earliest(paid_online_at, update.at)
    return replace(
        facts, paid_at=_earliest(facts.paid_at, update.at), paid_online_at=paid_online_at
    )


def apply_finished(facts: DossierFacts, update: ProcessingFinished) -> DossierFacts:
    """The earliest finish; an e-result counts if any report says it was issued."""
    return replace(
        facts,
        finished_at=_earliest(facts.finished_at, update.at),
        e_result_issued=facts.e_result_issued or update.e_result_issued,
    )


def apply_deadline(facts: DossierFacts, update: DeadlineSet) -> DossierFacts:
    """The appointment of the highest revision stands; within it, the most recent."""
    current = facts.deadline
    if current is None or _deadline_key(update) > _deadline_key(current):
        return replace(facts, deadline=update)
    return facts


def apply_reappointed(facts: DossierFacts, update: Reappointed) -> DossierFacts:
    """The most recent re-appointment stands (a dossier is re-appointed once)."""
    current = facts.reappointment
    if current is None or (update.at, update.to) > (current.at, current.to):
        return replace(facts, reappointment=update)
    return facts


def apply_verdict(facts: DossierFacts, update: VerdictGiven) -> DossierFacts:
    """The verdict of the highest revision stands (a correction); within it, the most
    recent."""
    if facts.judgement is None or _verdict_key(update) > _verdict_key(facts.judgement):
        return replace(facts, judgement=update)
    return facts


def apply_rated(facts: DossierFacts, update: Rated) -> DossierFacts:
    """The latest scored rating stands; the earliest complaint is kept."""
    rating = facts.rating
    if update.score is not None and (rating is None or _rating_key(update) > _rating_key(rating)):
        rating = replace(update, complaint=False)
    complained_at = facts.complained_at
    if update.complaint:
        complained_at = _earliest(complained_at, update.at)
    return replace(facts, rating=rating, complained_at=complained_at)


def _earliest(current: datetime | None, new: datetime) -> datetime:
    return new if current is None or new < current else current


def _reception_key(update: Received) -> tuple[datetime, tuple[str, ...]]:
    return update.at, update.identity.sort_key()


def _transfer_key(update: Transferred) -> tuple[datetime, str, str]:
    return update.at, update.to_unit, update.to_agency or ""


_NO_TIME = datetime.min.replace(tzinfo=UTC)


def _deadline_key(update: DeadlineSet) -> tuple[int, datetime, bool, datetime]:
    due = update.due_at
    return update.revision, update.at, due is not None, due or _NO_TIME


def _verdict_key(
    update: VerdictGiven,
) -> tuple[int, datetime, str, Decimal, str, int]:
    kept = {None: 0, False: 1, True: 2}[update.reappointment_kept]
    return (
        update.revision,
        update.at,
        update.verdict.value,
        update.processing_days,
        update.apology.value,
        kept,
    )


def _rating_key(update: Rated) -> tuple[datetime, int]:
    return update.at, update.score or 0
