"""Withdrawn alerts: what tracking withdrew, and what the dossier view needs to forget.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_withdrawals",
        sa.Column("alert_event_id", sa.Text, primary_key=True),
        sa.Column("withdrawal_event_id", sa.Text, nullable=False),
        sa.Column("dossier_code", sa.Text),
        sa.Column("message_type", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("notifications_source", "notifications", ["source_event_id"])
    op.add_column("dossiers", sa.Column("overdue_alert_id", sa.Text))
    op.add_column("dossiers", sa.Column("cleared_due_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("dossiers", "cleared_due_at")
    op.drop_column("dossiers", "overdue_alert_id")
    op.drop_index("notifications_source", "notifications")
    op.drop_table("alert_withdrawals")
