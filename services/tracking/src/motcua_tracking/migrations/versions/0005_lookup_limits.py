"""Wrong answers to citizens' look-ups, per client (a keyed digest of its address, never
the address) and per dossier code, shared by every instance.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lookup_failures",
        sa.Column("subject", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("lookup_failures_last_at", "lookup_failures", ["last_at"])


def downgrade() -> None:
    op.drop_table("lookup_failures")
