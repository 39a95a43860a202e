"""Response shapes, for the OpenAPI document (handlers return stored JSON as it is)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "AgencyView",
    "DossierView",
    "ErasedView",
    "ErasureView",
    "ImportReportView",
    "IssuedKeyView",
    "MergedView",
    "PersonErasedView",
    "Receipt",
]


class Receipt(BaseModel):
    """The answer to a registration or a recorded event."""

    code: str = Field(description="The dossier code.")
    status: int = Field(description="DVCQG status code after the event (1–10).")
    status_label: str
    event_id: str
    event_type: str
    record: dict[str, Any] = Field(description="The event as published (envelope).")


class DossierView(BaseModel):
    """A dossier's current status and its recorded events."""

    code: str
    agency_code: str
    status: int
    status_label: str
    received_at: str
    events: list[dict[str, Any]]


class ImportRejection(BaseModel):
    """A refused import line."""

    line: int
    code: str
    detail: str
    errors: list[dict[str, str]]


class ImportReportView(BaseModel):
    """How an import went."""

    lines: int
    accepted: int
    rejected: int
    rejections: list[ImportRejection]
    rejections_not_listed: int


class IssuedKeyView(BaseModel):
    """A new key; `key` is shown this once (a replay shows only the prefix)."""

    key: str | None
    prefix: str
    agency: str | None
    scopes: list[str]
    label: str


class AgencyView(BaseModel):
    """An agency and its units."""

    code: str
    name: str
    level: str
    kind: str
    parent: str | None
    units: list[dict[str, str]]
    procedures: list[str]
    office_hours: list[tuple[str, str]] = []
    late_cutoff: str | None = None
    retired_at: str | None = None
    merged_into: str | None = None
    merged_on: str | None = None
    revision: int = 1


class MergedView(BaseModel):
    """Both agencies after a merge."""

    absorbed: AgencyView
    absorber: AgencyView


class ErasedView(BaseModel):
    """A dossier whose applicant data is erased."""

    dossier_code: str
    erased_at: str = Field(description="In Vietnam's time (+07:00).")
    erased_now: bool = Field(description="False when an earlier erasure already did it.")


class PersonErasedView(BaseModel):
    """The dossiers erased for one person's request (none: nothing was kept)."""

    dossier_codes: list[str]
    erased_at: str = Field(description="In Vietnam's time (+07:00).")


class ErasureView(BaseModel):
    """One audited erasure."""

    dossier_code: str
    reason: str = Field(description="retention or request")
    note: str | None
    requested_by: str | None = Field(description="The prefix of the admin key that asked.")
    erased_at: str = Field(description="In Vietnam's time (+07:00).")
