"""Intake tables: agencies, procedures, API keys, dossiers, their events, code sequences,
idempotency records.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NOW = sa.text("now()")


def _stamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=_NOW)


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("parent", sa.Text, nullable=True),
        sa.Column("units", JSONB, nullable=False),
        sa.Column("procedures", ARRAY(sa.Text), nullable=False),
        _stamp("created_at"),
    )
    op.create_table(
        "procedures",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("competent_agency", sa.Text, nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        _stamp("updated_at"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("prefix", sa.Text, nullable=False),
        sa.Column("digest", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("agency_code", sa.Text, sa.ForeignKey("agencies.code"), nullable=True),
        sa.Column("scopes", ARRAY(sa.Text), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        _stamp("created_at"),
    )
    op.create_table(
        "dossier_sequences",
        sa.Column("agency_code", sa.Text, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "dossiers",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("agency_code", sa.Text, nullable=False),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("procedure_code", sa.Text, nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
    )
    op.create_index("dossiers_agency_received", "dossiers", ["agency_code", "received_at"])
    op.create_table(
        "dossier_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("dossier_code", sa.Text, nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
    )
    op.create_index("dossier_events_by_dossier", "dossier_events", ["dossier_code", "id"])
    # Envelopes are 2–3 kB: kept inline and uncompressed below a page, they cost no
    # TOAST compression on the write path (which dominated bulk imports).
    for table in ("dossier_events", "outbox"):
        op.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 8160)")
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("request_hash", sa.LargeBinary, nullable=False),
        sa.Column("status_code", sa.SmallInteger, nullable=True),
        sa.Column("response", sa.LargeBinary, nullable=True),
        _stamp("created_at"),
    )


def downgrade() -> None:
    for table in (
        "idempotency_keys",
        "dossier_events",
        "dossiers",
        "dossier_sequences",
        "api_keys",
        "procedures",
        "agencies",
    ):
        op.drop_table(table)
