"""The intake tables as SQLAlchemy Core tables (migration 0002 creates them).

Core rather than ORM models: every write is a bulk statement over plain rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

__all__ = [
    "agencies",
    "api_keys",
    "applicants",
    "dossier_events",
    "dossier_sequences",
    "dossiers",
    "erasures",
    "idempotency_keys",
    "procedures",
]

metadata = sa.MetaData()

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("parent", sa.Text),
    sa.Column("units", JSONB, nullable=False),
    sa.Column("procedures", ARRAY(sa.Text), nullable=False),
    sa.Column("office_hours", JSONB, nullable=False),
    sa.Column("late_cutoff", sa.Text),
    sa.Column("retired_at", sa.DateTime(timezone=True)),
    sa.Column("merged_into", sa.Text),
    sa.Column("merged_on", sa.Date),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

procedures = sa.Table(
    "procedures",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("competent_agency", sa.Text, nullable=False),
    sa.Column("document", JSONB, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("prefix", sa.Text, nullable=False),
    sa.Column("digest", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("agency_code", sa.Text),
    sa.Column("scopes", ARRAY(sa.Text), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
)

dossier_sequences = sa.Table(
    "dossier_sequences",
    metadata,
    sa.Column("agency_code", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

dossiers = sa.Table(
    "dossiers",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("agency_code", sa.Text, nullable=False),
    sa.Column("unit_code", sa.Text, nullable=False),
    sa.Column("procedure_code", sa.Text, nullable=False),
    sa.Column("status", sa.SmallInteger, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

dossier_events = sa.Table(
    "dossier_events",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("dossier_code", sa.Text, nullable=False),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.SmallInteger, nullable=False),
    sa.Column("envelope", sa.LargeBinary, nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("request_hash", sa.LargeBinary, nullable=False),
    sa.Column("status_code", sa.SmallInteger),
    sa.Column("response", sa.LargeBinary),
)

applicants = sa.Table(
    "applicants",
    metadata,
    sa.Column("dossier_code", sa.Text, primary_key=True),
    sa.Column("agency_code", sa.Text, nullable=False),
    sa.Column("id_digest", sa.LargeBinary),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("erased_at", sa.DateTime(timezone=True)),
)
"""One row per received dossier; no personal data in clear (migration 0004)."""

erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("dossier_code", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("requested_by", sa.Text),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
)
"""The audit of erasures: which dossier, why, who asked (a key prefix), when."""
