"""The portal service's tables: events, dossiers, the sync queue, progress sent, mappings.

Frozen: the tables as they were at this revision, whatever `adapters/tables.py` says later
(a later change is a new revision).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "portal_events",
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("dossier_code", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("occurred_at", _TZ, nullable=False),
        sa.Column("recorded_at", _TZ, nullable=False),
        sa.Column("data", JSONB, nullable=False),
    )
    op.create_index("portal_events_dossier", "portal_events", ["dossier_code"])

    op.create_table(
        "portal_dossiers",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("agency_code", sa.Text),
        sa.Column("procedure_code", sa.Text),
        sa.Column("received_at", _TZ),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("synced_revision", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("on_portal", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("created_on_portal_at", _TZ),
        sa.Column("acknowledged_at", _TZ),
        sa.Column("record", JSONB),
        sa.Column("record_digest", sa.Text),
        sa.Column("last_reply", sa.Text),
    )
    op.create_index("portal_dossiers_received", "portal_dossiers", ["received_at"])

    op.create_table(
        "portal_sync_queue",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="pending"),
        sa.Column("pending_since", _TZ, nullable=False),
        sa.Column("due_at", _TZ, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("leased_until", _TZ),
        sa.Column("force", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("reason", sa.Text),
        sa.Column("last_code", sa.Text),
        sa.Column("last_reply", sa.Text),
        sa.Column("last_attempt_at", _TZ),
        sa.Column("dead_at", _TZ),
    )
    op.create_index("portal_sync_queue_due", "portal_sync_queue", ["state", "due_at"])

    op.create_table(
        "portal_progress",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("step_key", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("entry", JSONB, nullable=False),
        sa.Column("sent_at", _TZ, nullable=False, server_default=_NOW),
    )

    op.create_table(
        "portal_procedure_map",
        sa.Column("local_code", sa.Text, primary_key=True),
        sa.Column("local_name", sa.Text, nullable=False, server_default=""),
        sa.Column("national_code", sa.Text),
        sa.Column("national_name", sa.Text),
        sa.Column("field_code", sa.Text, nullable=False, server_default=""),
        sa.Column("field_name", sa.Text, nullable=False, server_default=""),
        sa.Column("confirmed_at", _TZ),
    )

    op.create_table(
        "portal_national_procedures",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("field_code", sa.Text, nullable=False, server_default=""),
        sa.Column("field_name", sa.Text, nullable=False, server_default=""),
        sa.Column("fetched_at", _TZ, nullable=False, server_default=_NOW),
    )

    op.create_table(
        "portal_unit_map",
        sa.Column("agency_code", sa.Text, primary_key=True),
        sa.Column("unit_code", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "portal_unit_map",
        "portal_national_procedures",
        "portal_procedure_map",
        "portal_progress",
        "portal_sync_queue",
        "portal_dossiers",
        "portal_events",
    ):
        op.drop_table(table)
