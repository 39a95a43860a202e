"""Commands checked for shape and rules, ready to be applied against stored state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from motcua.events import Applicant, Channel, Component, DossierEvent, Proxy
from motcua.lifecycle import LifecycleStep
from motcua_intake.service.errors import Rejection

__all__ = ["Accepted", "Claim", "Item", "Outcome", "Registration", "Source", "Step"]

Source = Literal["http", "kafka", "import"]


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
class Claim:
    """An idempotency key and the hash of the request made under it."""

    scope: str
    key: str
    request_hash: bytes


@dataclass(frozen=True, slots=True)
class Item:
    """One command, applied all or nothing: a registration and/or steps of one dossier.

    `target` names an existing dossier; steps without a target follow the registration.
    `scope` is the only agency whose dossiers it may touch (None: any).
    """

    source: Source
    command: str
    scope: str | None
    registration: Registration | None = None
    target: str | None = None
    steps: tuple[Step, ...] = ()
    claim: Claim | None = None
    respond: bool = True


@dataclass(frozen=True, slots=True)
class Accepted:
    """Applied (or replayed): the status and JSON body answered to the caller."""

    status_code: int
    body: bytes
    replayed: bool = False
    dossier_code: str | None = None


Outcome = Accepted | Rejection
