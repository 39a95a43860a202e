"""What a command does to a dossier, decided before anything is written.

A registration receives a new dossier; steps move a stored one on. Planning decides
whether a command applies, all or nothing (the dossier exists and is the caller's
agency's, the procedure is in the catalogue, a code the counter supplies is free, each
step is one the dossier's status allows and none comes before the reception) and what
it records: its events, with the dossier's status after each. These are pure functions
of the dossier's state and the command; storing, issuing codes and idempotency are the
service's.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from motcua.events import (
    Applicant,
    ApplicantRecorded,
    Channel,
    Component,
    DossierEvent,
    DossierReceived,
    Envelope,
    ProcedureTerms,
    Proxy,
)
from motcua.lifecycle import LifecycleStep, TransitionRejected, apply
from motcua.vocabulary import DossierStatus

__all__ = [
    "DossierState",
    "Plan",
    "Reception",
    "Refusal",
    "Registration",
    "Step",
    "applicant_recorded",
    "plan_registration",
    "plan_steps",
    "recorded_events",
]


@dataclass(frozen=True, slots=True)
class DossierState:
    """What later events are checked against: owner, status, reception time."""

    code: str
    agency: str
    status: DossierStatus
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Registration:
    """A dossier to receive; its code is the client's or issued from the sequence."""

    client_code: str | None
    agency: str
    unit: str
    procedure_code: str
    received_at: datetime
    channel: Channel
    applicant: Applicant
    proxy: Proxy | None
    components: tuple[Component, ...]
    digitised: bool
    result_delivery: Literal["counter", "postal", "online"]


@dataclass(frozen=True, slots=True)
class Step:
    """A later event of a dossier, with its contract payload already built."""

    kind: LifecycleStep
    occurred_at: datetime
    event: DossierEvent
    pointer: str = ""
    """Where the step sits in its request body ("/events/2" in an import line)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a command does not apply: a kind, a stable code, and the refused field (a
    pointer into the command, and what is wrong with it) when one is to blame."""

    kind: Literal["invalid", "conflict", "not_found", "forbidden"]
    code: str
    detail: str
    field: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Reception:
    """A registration that applies, with the procedure revision its reception names."""

    registration: Registration
    procedure_code: str
    revision: int


@dataclass(frozen=True, slots=True)
class Plan:
    """A command that applies.

    `code` is None for a registration whose code is still to be issued. `statuses` are
    the dossier's status after each event the command records, in order, and `status`
    the one it is left in. A registration (`reception`) records its reception first.
    """

    agency: str
    code: str | None
    received_at: datetime
    """The dossier's reception."""
    statuses: tuple[DossierStatus, ...]
    status: DossierStatus
    reception: Reception | None = None


def plan_registration(
    registration: Registration,
    steps: Sequence[Step],
    procedure: tuple[int, ProcedureTerms] | None,
    taken: Container[str],
) -> Plan | Refusal:
    """A new dossier and the steps that followed its reception.

    `procedure` is the current revision and terms of the registration's procedure (None:
    not in the catalogue); a code the counter supplies must not be `taken`.
    """
    if procedure is None:
        unknown = registration.procedure_code
        return Refusal(
            "invalid",
            "unknown_procedure",
            f"procedure {unknown!r} is not in the catalogue",
            ("/procedure_code", f"{unknown!r} is unknown"),
        )
    code = registration.client_code
    if code is not None and code in taken:
        return Refusal(
            "conflict",
            "duplicate_dossier_code",
            f"dossier code {code!r} is already used",
            ("/dossier_code", "already used"),
        )
    revision, terms = procedure
    status = apply(DossierStatus.NEWLY_REGISTERED, LifecycleStep.RECEIVED)
    reception = Reception(registration, terms.code, revision)
    return _follow(registration.agency, code, registration.received_at, status, steps, reception)


def plan_steps(
    code: str,
    dossier: DossierState | None,
    steps: Sequence[Step],
    scope: str | None,
    office_of: Callable[[str], str],
) -> Plan | Refusal:
    """Steps of the stored dossier `code` (None: there is none).

    `scope` is the only agency whose dossiers the command may touch (None: any); an
    agency answers too for the dossiers of the agencies merged into it (`office_of`).
    """
    if dossier is None:
        return Refusal("not_found", "dossier_not_found", f"no dossier {code!r}")
    if scope is not None and scope not in (dossier.agency, office_of(dossier.agency)):
        return Refusal("forbidden", "forbidden", f"dossier {code!r} belongs to another agency")
    return _follow(dossier.agency, code, dossier.received_at, dossier.status, steps)


def recorded_events(
    plan: Plan, steps: Sequence[Step], code: str, producer: str, now: datetime
) -> list[Envelope]:
    """The events a planned command records for dossier `code`, in order (a reception
    first), all correlated with the first."""
    payloads: list[tuple[DossierEvent, datetime]] = []
    if plan.reception is not None:
        payloads.append((_received(plan.reception), plan.received_at))
    payloads.extend((step.event, step.occurred_at) for step in steps)
    correlation: UUID | None = None
    envelopes = []
    for event, occurred_at in payloads:
        envelope = Envelope.wrap(
            event,
            producer=producer,
            occurred_at=occurred_at,
            now=now,
            dossier_code=code,
            agency_code=plan.agency,
            correlation_id=correlation,
        )
        correlation = correlation or envelope.correlation_id
        envelopes.append(envelope)
    return envelopes


def applicant_recorded(
    registration: Registration, code: str, received: Envelope, producer: str, now: datetime
) -> Envelope:
    """The applicant of a new dossier, recorded apart from its events (caused by its
    reception)."""
    return Envelope.wrap(
        ApplicantRecorded(applicant=registration.applicant, proxy=registration.proxy),
        producer=producer,
        occurred_at=registration.received_at,
        now=now,
        dossier_code=code,
        agency_code=registration.agency,
        caused_by=received,
    )


def _follow(
    agency: str,
    code: str | None,
    received_at: datetime,
    status: DossierStatus,
    steps: Sequence[Step],
    reception: Reception | None = None,
) -> Plan | Refusal:
    """The statuses the steps take a dossier through, from `status` (and a reception)."""
    statuses = [status] if reception is not None else []
    for step in steps:
        if step.occurred_at < received_at:
            return Refusal(
                "invalid",
                "occurred_before_reception",
                "an event cannot happen before the dossier was received",
                (step.pointer + "/occurred_at", "earlier than the reception time"),
            )
        try:
            status = apply(status, step.kind)
        except TransitionRejected as rejected:
            return Refusal(
                "conflict",
                "transition_not_allowed",
                rejected.message_en,
                (step.pointer + "/type", rejected.message_en),
            )
        statuses.append(status)
    return Plan(agency, code, received_at, tuple(statuses), status, reception)


def _received(reception: Reception) -> DossierReceived:
    registration = reception.registration
    return DossierReceived(
        procedure_code=reception.procedure_code,
        procedure_revision=reception.revision,
        unit_code=registration.unit,
        channel=registration.channel,
        applicant_kind=registration.applicant.kind,
        components=registration.components,
        digitised=registration.digitised,
        result_delivery=registration.result_delivery,
    )
