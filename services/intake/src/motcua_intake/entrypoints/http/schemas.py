"""Response shapes, for the OpenAPI document (handlers return stored JSON as it is)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["AgencyView", "DossierView", "ImportReportView", "IssuedKeyView", "Problem", "Receipt"]


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


class FieldProblem(BaseModel):
    """One refused field."""

    pointer: str
    code: str
    detail: str


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] = Field(default_factory=list)
