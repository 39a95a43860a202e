"""The dossier lifecycle, as intake publishes it (topic `intake.dossier-events.v1`).

One event per step of brief §1; the envelope's `occurred_at` is when it happened
at the office, `recorded_at` when the system learnt it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from motcua.events.envelope import Event
from motcua.events.topics import DOSSIER_EVENTS, TopicSpec
from motcua.events.values import Applicant, Channel, Component, ProcedureTerms, Proxy
from motcua.lifecycle import LifecycleStep, step_of

__all__ = [
    "ApologyFiled",
    "DossierEvent",
    "DossierReceived",
    "DossierReceivedV1",
    "DossierReceivedV2",
    "DossierRefused",
    "DossierTransferred",
    "DossierWithdrawn",
    "FinancialObligationPaid",
    "FinancialObligationSet",
    "ProcessingFinished",
    "ResultReturned",
    "SatisfactionRated",
    "SupplementReceived",
    "SupplementRequested",
    "lifecycle_step",
]


class DossierEvent(Event):
    """An event of one dossier's life."""

    topic: ClassVar[TopicSpec] = DOSSIER_EVENTS


class DossierReceived(DossierEvent):
    """A complete dossier was received and given its code (form 01 issued).

    It names no person: the applicant and proxy travel apart, as `ApplicantRecorded`
    on the applicants' topic, so this log can be kept for ever (docs/privacy.md).
    `applicant_kind` is all that counting needs. Nor does it copy its procedure: it
    names the catalogue's revision in force at reception (`procedure_code`,
    `procedure_revision`), which the catalogue topic keeps for ever and each reader
    keeps by revision (`motcua.catalogue`)."""

    event_type: ClassVar[str] = "dossier.received"
    schema_version: ClassVar[int] = 3

    procedure_code: str = Field(min_length=1)
    procedure_revision: int = Field(ge=0)
    """The catalogue revision whose terms the dossier's deadlines follow; 0 only for a
    reception written before revisions were named, which carried its terms itself."""
    unit_code: str
    channel: Channel
    applicant_kind: Literal["citizen", "organisation"] = "citizen"
    components: tuple[Component, ...] = ()
    digitised: bool = False
    result_delivery: Literal["counter", "postal", "online"] = "counter"
    copied_terms: ProcedureTerms | None = None
    """Only in a reception read from schema version 2, which copied its procedure and named
    no revision: those terms, kept so that storing and reading it again loses nothing.
    Never set by intake: a reception written now names its revision."""


class DossierReceivedV2(DossierEvent):
    """`dossier.received` as written while it copied its procedure (schema version 2).

    Read, never written: decoding gives the current `DossierReceived`, which keeps the
    copied terms as `copied_terms`, since no revision was named."""

    event_type: ClassVar[str] = "dossier.received"
    schema_version: ClassVar[int] = 2

    procedure: ProcedureTerms
    unit_code: str
    channel: Channel
    applicant_kind: Literal["citizen", "organisation"] = "citizen"
    components: tuple[Component, ...] = ()
    digitised: bool = False
    result_delivery: Literal["counter", "postal", "online"] = "counter"

    def upcast(self) -> DossierReceived:
        """Version 3: the same reception, its terms kept aside."""
        return DossierReceived(
            procedure_code=self.procedure.code,
            procedure_revision=0,
            unit_code=self.unit_code,
            channel=self.channel,
            applicant_kind=self.applicant_kind,
            components=self.components,
            digitised=self.digitised,
            result_delivery=self.result_delivery,
            copied_terms=self.procedure,
        )


class DossierReceivedV1(DossierEvent):
    """`dossier.received` as written before the applicant left it (schema version 1).

    Read, never written: decoding gives the current `DossierReceived`, without the
    applicant and proxy it carried, so no consumer keeps them from the dossier log."""

    event_type: ClassVar[str] = "dossier.received"

    procedure: ProcedureTerms
    unit_code: str
    channel: Channel
    applicant: Applicant
    proxy: Proxy | None = None
    components: tuple[Component, ...] = ()
    digitised: bool = False
    result_delivery: Literal["counter", "postal", "online"] = "counter"

    def upcast(self) -> DossierReceived:
        """The current version: the same reception, naming no person."""
        return DossierReceivedV2(
            procedure=self.procedure,
            unit_code=self.unit_code,
            channel=self.channel,
            applicant_kind=self.applicant.kind,
            components=self.components,
            digitised=self.digitised,
            result_delivery=self.result_delivery,
        ).upcast()


class DossierRefused(DossierEvent):
    """Refused at reception or after appraisal, with written reasons (form 03)."""

    event_type: ClassVar[str] = "dossier.refused"

    stage: Literal["reception", "appraisal"]
    reasons: tuple[str, ...] = Field(min_length=1)
    unit_code: str


class DossierTransferred(DossierEvent):
    """Handed over from one unit to another (a row of the control slip)."""

    event_type: ClassVar[str] = "dossier.transferred"

    from_unit: str
    to_unit: str
    step_code: str | None = None
    note: str | None = None


class SupplementRequested(DossierEvent):
    """The citizen is asked to complete the dossier (form 02); the clock stops."""

    event_type: ClassVar[str] = "dossier.supplement-requested"

    missing_items: tuple[str, ...] = Field(min_length=1)
    reason: str = Field(min_length=1)
    unit_code: str
    contact_name: str | None = None
    contact_phone: str | None = None


class SupplementReceived(DossierEvent):
    """The missing papers arrived; the clock runs again."""

    event_type: ClassVar[str] = "dossier.supplement-received"

    items: tuple[str, ...] = ()
    unit_code: str | None = None


class FinancialObligationSet(DossierEvent):
    """A fee or tax must be paid before the result (status 6)."""

    event_type: ClassVar[str] = "dossier.financial-obligation-set"

    amount_vnd: int = Field(ge=0)
    description: str


class FinancialObligationPaid(DossierEvent):
    """The financial obligation was paid."""

    event_type: ClassVar[str] = "dossier.financial-obligation-paid"

    amount_vnd: int = Field(ge=0)
    method: Literal["online", "counter", "bank_transfer"]


class ProcessingFinished(DossierEvent):
    """Processing is finished (status 9): the clock stops here."""

    event_type: ClassVar[str] = "dossier.processing-finished"

    outcome: Literal["approved", "rejected"]
    unit_code: str
    e_result_issued: bool = False
    note: str | None = None


class ResultReturned(DossierEvent):
    """The result was handed to the citizen (status 10)."""

    event_type: ClassVar[str] = "dossier.result-returned"

    method: Literal["counter", "postal", "online"] = "counter"


class DossierWithdrawn(DossierEvent):
    """Withdrawn at the citizen's request (`withdrawn`, status 7) or stopped because the
    conditions are not met (`stopped`, status 8); a stop notice is issued."""

    event_type: ClassVar[str] = "dossier.withdrawn"

    kind: Literal["withdrawn", "stopped"] = "withdrawn"
    reason: str = Field(min_length=1)


class SatisfactionRated(DossierEvent):
    """The citizen rated the service (1 very unhappy … 5 very happy)."""

    event_type: ClassVar[str] = "dossier.satisfaction-rated"

    score: int = Field(ge=1, le=5)
    complaint: bool = False


class ApologyFiled(DossierEvent):
    """The responsible unit filed an apology and a new appointment (form 04)."""

    event_type: ClassVar[str] = "dossier.apology-filed"

    unit_code: str
    reason: str = Field(min_length=1)
    new_appointment_at: AwareDatetime
    signed_by: str | None = None


def lifecycle_step(event: DossierEvent) -> LifecycleStep:
    """The step of the dossier lifecycle (`motcua.lifecycle`) that `event` records.

    `DossierRefused.stage` and `DossierWithdrawn.kind` pick the step: refused at
    reception or after appraisal, withdrawn at the citizen's request or stopped.
    """
    variant: str | None = None
    if isinstance(event, DossierRefused):
        variant = event.stage
    elif isinstance(event, DossierWithdrawn):
        variant = event.kind
    return step_of(event.event_type, variant)
