"""The sync queue keeps when a change arrived, in the database's real time (sync lag and
the oldest change waiting are real seconds, also under a simulated clock).

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
    op.add_column(
        "portal_sync_queue",
        sa.Column(
            "arrived_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
    )


def downgrade() -> None:
    op.drop_column("portal_sync_queue", "arrived_at")
