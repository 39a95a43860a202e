"""Notify tables: the delivery log, the dossier projection, the units directory, digest runs.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = True) -> "sa.Column[object]":
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "notifications",
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
        sa.Column("content", JSONB),
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
    op.create_index(
        "notifications_due",
        "notifications",
        ["channel", "not_before", "id"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "notifications_leased",
        "notifications",
        ["lease_until"],
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.create_index("notifications_dossier", "notifications", ["dossier_code", "id"])
    op.create_index("notifications_recipient", "notifications", ["recipient_hash", "id"])
    op.create_index(
        "notifications_provider",
        "notifications",
        ["channel", "provider_message_id"],
        postgresql_where=sa.text("provider_message_id IS NOT NULL"),
    )
    op.create_index(
        "notifications_unpurged",
        "notifications",
        ["created_at"],
        postgresql_where=sa.text("purged_at IS NULL"),
    )
    op.create_table(
        "dossiers",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("agency_code", sa.Text),
        sa.Column("receiving_unit", sa.Text),
        sa.Column("holding_unit", sa.Text),
        sa.Column("procedure_name", sa.Text),
        sa.Column("applicant", JSONB),
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
    )
    op.create_index(
        "dossiers_open_by_unit",
        "dossiers",
        ["holding_unit", "code"],
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "directory_units",
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
    op.create_table(
        "digest_runs",
        sa.Column("unit_code", sa.Text, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("digest_runs")
    op.drop_table("directory_units")
    op.drop_table("dossiers")
    op.drop_table("notifications")
