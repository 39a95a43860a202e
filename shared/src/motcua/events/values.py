"""Value types shared by several events."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from motcua.vocabulary import ApologyStanding, Channel, Verdict

__all__ = [
    "ApologyStanding",
    "Applicant",
    "Channel",
    "Component",
    "Consent",
    "ProcedureTerms",
    "ProcessStep",
    "ProcessingTime",
    "Proxy",
    "StepDeadline",
    "Verdict",
]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Consent(_Value):
    """The channels on which the citizen agreed to be notified."""

    email: bool = False
    sms: bool = False
    zalo: bool = False


class Applicant(_Value):
    """The person or organisation the dossier is for (personal data: never logged)."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["citizen", "organisation"] = "citizen"
    id_number: str = Field(min_length=1, max_length=20)
    phone: str | None = None
    email: str | None = None
    address: str | None = Field(default=None, max_length=500)
    consent: Consent = Consent()


class Proxy(_Value):
    """Someone handing in the dossier on the applicant's behalf."""

    name: str = Field(min_length=1, max_length=200)
    id_number: str | None = None
    phone: str | None = None


class Component(_Value):
    """One paper of the dossier as handed in."""

    name: str = Field(min_length=1, max_length=300)
    copies: int = Field(default=1, ge=1)
    original: bool = False


class ProcessingTime(_Value):
    """A statutory or allotted time: working days, working hours, or within the day."""

    unit: Literal["working_days", "working_hours", "within_day"]
    amount: Decimal = Field(default=Decimal(1), gt=0)


class ProcessStep(_Value):
    """One step of a procedure's internal process, with its allotted time."""

    code: str
    name: str
    unit_role: str
    allotted: ProcessingTime


class ProcedureTerms(_Value):
    """What a dossier's deadlines are computed from, fixed at reception."""

    code: str
    name: str
    field: str
    level: Literal["province", "commune", "ministry"] = "province"
    processing_time: ProcessingTime
    steps: tuple[ProcessStep, ...] = ()
    late_cutoff: time | None = time(15, 0)
    """A reception after this time counts from the next working day's opening (brief,
    decision 4). None means the procedure has no cut-off: a reception counts from its
    own instant, and one outside office hours from the next opening (decision 8)."""
    online_eligible: bool = False
    has_fee: bool = False


class StepDeadline(_Value):
    """A step's due time as planned when the deadline is set."""

    code: str
    unit_role: str
    due_at: AwareDatetime
