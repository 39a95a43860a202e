"""Published alerts kept with their timers; every dossier's applied incoming events.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "timers",
        sa.Column("alerts", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    op.create_table(
        "dossier_events",
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("dossier_code", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("envelope", JSONB, nullable=False),
    )
    op.create_index("dossier_events_dossier", "dossier_events", ["dossier_code", "seq"])


def downgrade() -> None:
    op.drop_table("dossier_events")
    op.drop_column("timers", "alerts")
