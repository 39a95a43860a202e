"""The notify tables as SQLAlchemy Core tables (migration 0002 creates them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

__all__ = [
    "agencies",
    "alert_withdrawals",
    "array_type",
    "digest_runs",
    "directory_units",
    "dossiers",
    "metadata",
    "notifications",
]

metadata = sa.MetaData()


def array_type(column: sa.Column[Any]) -> str:
    """The PostgreSQL type of an array of a column's values, for statements that take one
    array per column (`unnest`); a JSONB column's values go as JSON text, cast in the
    statement."""
    kind = column.type
    if isinstance(kind, JSONB | sa.Text):
        return "text"
    if isinstance(kind, sa.DateTime):
        return "timestamptz"
    if isinstance(kind, sa.Boolean):
        return "boolean"
    if isinstance(kind, UUID):
        return "uuid"
    if isinstance(kind, sa.LargeBinary):
        return "bytea"
    if isinstance(kind, sa.BigInteger):
        return "bigint"
    if isinstance(kind, sa.Integer):
        return "integer"
    raise TypeError(f"no array type for {column.name} ({column.type})")


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("units", JSONB, nullable=False),
    _at("retired_at"),
    sa.Column("merged_into", sa.Text),
    sa.Column("merged_on", sa.Date),
    sa.Column("revision", sa.Integer, nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("public_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
    sa.Column("dossier_code", sa.Text),
    sa.Column("unit_code", sa.Text),
    sa.Column("agency_code", sa.Text),
    sa.Column("audience", sa.Text, nullable=False),
    sa.Column("message_type", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("recipient", sa.Text),
    sa.Column("recipient_hash", sa.LargeBinary),
    sa.Column("recipient_masked", sa.Text),
    sa.Column("content", JSONB(none_as_null=True)),
    sa.Column("template_version", sa.Integer),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    _at("not_before", nullable=False),
    sa.Column("lease_owner", sa.Text),
    _at("lease_until"),
    sa.Column("provider_message_id", sa.Text),
    sa.Column("source_event_id", sa.Text, nullable=False),
    sa.Column("correlation_id", UUID(as_uuid=True)),
    _at("created_at", nullable=False),
    _at("sent_at"),
    _at("delivered_at"),
    _at("failed_at"),
    _at("purged_at"),
)

dossiers = sa.Table(
    "dossiers",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("agency_code", sa.Text),
    sa.Column("receiving_unit", sa.Text),
    sa.Column("holding_unit", sa.Text),
    sa.Column("procedure_name", sa.Text),
    sa.Column("applicant", JSONB(none_as_null=True)),
    sa.Column("collection_place", sa.Text),
    _at("received_at"),
    sa.Column("received_event_id", sa.Text),
    _at("appointment_at"),
    _at("due_at"),
    sa.Column("step_names", JSONB, nullable=False, server_default="{}"),
    sa.Column("step_dues", JSONB, nullable=False, server_default="{}"),
    sa.Column("current_step", sa.Text),
    sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
    _at("closed_at"),
    sa.Column("receipt_event_id", sa.Text),
    sa.Column("parked", JSONB, nullable=False, server_default="[]"),
    sa.Column("overdue_alert_id", sa.Text),
    _at("cleared_due_at"),
    sa.Column("fact_times", JSONB, nullable=False, server_default="{}"),
    _at("erased_at"),
)

directory_units = sa.Table(
    "directory_units",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("agency_code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("head_name", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("webhook_url", sa.Text),
    sa.Column("channels", ARRAY(sa.Text), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

digest_runs = sa.Table(
    "digest_runs",
    metadata,
    sa.Column("unit_code", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

alert_withdrawals = sa.Table(
    "alert_withdrawals",
    metadata,
    sa.Column("alert_event_id", sa.Text, primary_key=True),
    sa.Column("withdrawal_event_id", sa.Text, nullable=False),
    sa.Column("dossier_code", sa.Text),
    sa.Column("message_type", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text),
    _at("recorded_at", nullable=False),
)
