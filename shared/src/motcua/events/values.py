"""Value types shared by several events."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

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
    """The person or organisation the dossier is for (personal data: never logged).

    A citizen carries `national_id` (12-digit citizen ID), an organisation
    `organisation_code` (tax code): the names of a registration's request. Records
    written before the rename carry either one as `id_number`; they still parse.
    """

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["citizen", "organisation"] = "citizen"
    national_id: str | None = Field(default=None, min_length=1, max_length=20)
    organisation_code: str | None = Field(default=None, min_length=1, max_length=20)
    phone: str | None = None
    email: str | None = None
    address: str | None = Field(default=None, max_length=500)
    consent: Consent = Consent()

    @model_validator(mode="before")
    @classmethod
    def _read_old_id_number(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id_number" in data:
            data = dict(data)
            old = data.pop("id_number")
            name = "organisation_code" if data.get("kind") == "organisation" else "national_id"
            data.setdefault(name, old)
        return data

    @model_validator(mode="after")
    def _has_its_id(self) -> Applicant:
        if self.id_number is None:
            wanted = "organisation_code" if self.kind == "organisation" else "national_id"
            raise ValueError(f"a {self.kind} applicant needs its {wanted}")
        return self

    @property
    def id_number(self) -> str | None:
        """The citizen ID or the organisation's tax code, whichever the kind carries."""
        return self.organisation_code if self.kind == "organisation" else self.national_id


class Proxy(_Value):
    """Someone handing in the dossier on the applicant's behalf (`id_number` before)."""

    name: str = Field(min_length=1, max_length=200)
    national_id: str | None = Field(
        default=None, validation_alias=AliasChoices("national_id", "id_number")
    )
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
