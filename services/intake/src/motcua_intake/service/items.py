"""Commands checked for shape and rules, ready to be applied against stored state, and
what applying them gives: a receipt, the answer given before (a repeated idempotency
key) or a rejection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from motcua.vocabulary import DossierStatus
from motcua_intake.domain.planning import Registration, Step
from motcua_intake.service.errors import Rejection

__all__ = ["Answer", "Claim", "Item", "Outcome", "Receipt", "Replayed", "Source"]

Source = Literal["http", "kafka", "import"]


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


@dataclass(frozen=True, slots=True)
class Receipt:
    """An applied command: its dossier, the status it left the dossier in and the last
    event it recorded (`record`: that event's envelope, as published)."""

    dossier_code: str
    status: DossierStatus
    event_id: UUID
    event_type: str
    record: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    """A result as the caller is answered (status and JSON body, rendered by the entry
    points), kept under an idempotency key so that a retry gets it again."""

    status_code: int
    body: bytes


@dataclass(frozen=True, slots=True)
class Replayed:
    """A request repeated under a used idempotency key: the answer first given."""

    answer: Answer


Outcome = Receipt | Replayed | Rejection
