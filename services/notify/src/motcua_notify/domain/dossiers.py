"""Notify's own view of a dossier: what it needs to address and word its messages.

Built from intake's and tracking's events (whichever arrives first). The applicant's
contacts and consent come apart, from intake's applicants' topic (`ApplicantRecorded`),
so they are personal data: purged after retention, and deleted for good when
`ApplicantErased` arrives (`erased_at` remembers it, with nothing personal, so an older
`ApplicantRecorded` read again later does not bring them back).

Events are folded in at the time they happened, not the time they arrive (brief,
decision 9): the view keeps when the last applied fact of each kind happened
(`fact_times`), and an older fact of that kind arriving later changes nothing, so a
hand-over that happened before an overdue alert but arrives after it does not clear
the alert's overdue flag (tracking withdraws the alert if it was wrong).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from motcua_notify.domain.contacts import Recipient
from motcua_notify.domain.messages import Channel

__all__ = ["Citizen", "DossierView", "FactKind"]


@dataclass(frozen=True)
class Citizen:
    """The applicant as notify needs them: a name to greet, contacts and consented channels."""

    name: str
    phone: str | None = None
    email: str | None = None
    consents: frozenset[Channel] = frozenset()

    @property
    def recipient(self) -> Recipient:
        """The applicant as a recipient on the channels they agreed to."""
        return Recipient(phone=self.phone, email=self.email, consents=self.consents)


class FactKind(StrEnum):
    """What an event says about a dossier, each kind with the fields it sets."""

    HOLDER = "holder"
    """`holding_unit`, `current_step`: who holds the dossier, at which step."""
    DUE = "due"
    """`due_at`: the due time of the current step (or of the dossier)."""
    APPOINTMENT = "appointment"
    """`appointment_at`: the appointment the citizen was given."""
    OVERDUE = "overdue"
    """`overdue`, `overdue_alert_id`: whether an overdue alert stands."""


@dataclass(frozen=True)
class DossierView:
    """The local projection of one dossier; `parked` holds events waiting for the applicant."""

    code: str
    agency_code: str | None = None
    receiving_unit: str | None = None
    holding_unit: str | None = None
    procedure_name: str | None = None
    citizen: Citizen | None = None
    collection_place: str | None = None
    received_at: datetime | None = None
    received_event_id: str | None = None
    appointment_at: datetime | None = None
    due_at: datetime | None = None
    step_names: Mapping[str, str] = field(default_factory=dict)
    step_dues: Mapping[str, datetime] = field(default_factory=dict)
    current_step: str | None = None
    overdue: bool = False
    closed_at: datetime | None = None
    receipt_event_id: str | None = None
    parked: tuple[str, ...] = ()
    overdue_alert_id: str | None = None
    cleared_due_at: datetime | None = None
    fact_times: Mapping[FactKind, datetime] = field(default_factory=dict)
    erased_at: datetime | None = None

    def updated(self, at: datetime, facts: Mapping[FactKind, Mapping[str, Any]]) -> "DossierView":
        """The view with the fields of each kind of fact set as they were at `at`, unless
        a fact of that kind that happened later was applied already."""
        view, times = self, dict(self.fact_times)
        for kind, fields in facts.items():
            last = times.get(kind)
            if last is None or at >= last:
                view = replace(view, **fields)
                times[kind] = at
        return replace(view, fact_times=times)

    def with_citizen(self, citizen: Citizen) -> "DossierView":
        """The view with the applicant's contacts, unless they were erased (then unchanged)."""
        if self.erased_at is not None:
            return self
        return replace(self, citizen=citizen)

    def erased(self, at: datetime) -> "DossierView":
        """The view without the applicant, for good: nothing waits for them any more (the
        parked events could only have told them something). The earliest erasure wins."""
        erased_at = self.erased_at
        return replace(
            self,
            citizen=None,
            parked=(),
            erased_at=at if erased_at is None else min(erased_at, at),
        )

    def closed(self, at: datetime) -> "DossierView":
        """The view closed at `at` (the earliest closing event wins)."""
        closed_at = self.closed_at
        return replace(self, closed_at=at if closed_at is None else min(closed_at, at))

    @property
    def receipt_due(self) -> bool:
        """Whether form 01 can go out now: applicant and appointment known, not yet sent."""
        return (
            self.citizen is not None
            and self.appointment_at is not None
            and self.received_event_id is not None
            and self.receipt_event_id is None
        )

    def is_overdue(self, now: datetime) -> bool:
        """Whether the dossier is overdue now: an overdue alert stands, or its due time passed.

        A due time a withdrawn overdue alert was about (`cleared_due_at`) is not taken as
        passed: tracking showed the dossier was not late against it.
        """
        due = self.due_at
        return self.overdue or (due is not None and due < now and due != self.cleared_due_at)

    def step_name(self, step_code: str | None, default: str) -> str:
        """The readable name of a step of this dossier's procedure."""
        if step_code is None:
            return default
        return self.step_names.get(step_code, step_code)
