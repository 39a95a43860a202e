"""The portal service's tables (created by its Alembic migrations)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

__all__ = [
    "APPLICANTS",
    "DOSSIERS",
    "ERASURES",
    "EVENTS",
    "NATIONAL_PROCEDURES",
    "PROCEDURE_MAP",
    "PROGRESS",
    "QUEUE",
    "UNIT_MAP",
    "metadata",
]

metadata = MetaData()
_now = text("now()")

EVENTS = Table(
    "portal_events",
    metadata,
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("dossier_code", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("data", JSONB, nullable=False),
    Index("portal_events_dossier", "dossier_code"),
)

DOSSIERS = Table(
    "portal_dossiers",
    metadata,
    Column("code", Text, primary_key=True),
    Column("agency_code", Text),
    Column("procedure_code", Text),
    Column("received_at", DateTime(timezone=True)),
    Column("revision", BigInteger, nullable=False, server_default="0"),
    Column("synced_revision", BigInteger, nullable=False, server_default="0"),
    Column("on_portal", Boolean, nullable=False, server_default="false"),
    Column("created_on_portal_at", DateTime(timezone=True)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("record", JSONB),
    Column("record_digest", Text),
    Column("last_reply", Text),
    Index("portal_dossiers_received", "received_at"),
)

QUEUE = Table(
    "portal_sync_queue",
    metadata,
    Column("code", Text, primary_key=True),
    Column("revision", BigInteger, nullable=False),
    Column("state", Text, nullable=False, server_default="pending"),
    Column("pending_since", DateTime(timezone=True), nullable=False),
    # Real time (the database's), never a simulated clock's: sync lag is real seconds.
    Column("arrived_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("leased_until", DateTime(timezone=True)),
    Column("force", Boolean, nullable=False, server_default="false"),
    Column("reason", Text),
    Column("last_code", Text),
    Column("last_reply", Text),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("dead_at", DateTime(timezone=True)),
    Index("portal_sync_queue_due", "state", "due_at"),
)

PROGRESS = Table(
    "portal_progress",
    metadata,
    Column("code", Text, primary_key=True),
    Column("step_key", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("digest", Text, nullable=False),
    Column("entry", JSONB, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False, server_default=_now),
)

PROCEDURE_MAP = Table(
    "portal_procedure_map",
    metadata,
    Column("local_code", Text, primary_key=True),
    Column("local_name", Text, nullable=False, server_default=""),
    Column("national_code", Text),
    Column("national_name", Text),
    Column("field_code", Text, nullable=False, server_default=""),
    Column("field_name", Text, nullable=False, server_default=""),
    Column("confirmed_at", DateTime(timezone=True)),
)

NATIONAL_PROCEDURES = Table(
    "portal_national_procedures",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("field_code", Text, nullable=False, server_default=""),
    Column("field_name", Text, nullable=False, server_default=""),
    Column("fetched_at", DateTime(timezone=True), nullable=False, server_default=_now),
)

UNIT_MAP = Table(
    "portal_unit_map",
    metadata,
    Column("agency_code", Text, primary_key=True),
    Column("unit_code", Text, nullable=False),
)

# The applicant's personal data, apart from the dossier's events: the latest
# `ApplicantRecorded` of each dossier, deleted when `ApplicantErased` arrives.
APPLICANTS = Table(
    "portal_applicants",
    metadata,
    Column("code", Text, primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("applicant", JSONB, nullable=False),
    Column("proxy", JSONB),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=_now),
)

# Dossiers whose applicant was erased (no personal data): an older `ApplicantRecorded`
# read again later is not stored.
ERASURES = Table(
    "portal_erasures",
    metadata,
    Column("code", Text, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=False),
    Column("noted_at", DateTime(timezone=True), nullable=False, server_default=_now),
)
