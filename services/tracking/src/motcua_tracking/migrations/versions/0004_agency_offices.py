"""Agencies as intake publishes them: names, office hours and cut-offs for deadlines.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE agency_offices_seq")
    op.create_table(
        "agency_offices",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("office_hours", JSONB, nullable=False),
        sa.Column("late_cutoff", sa.Text, nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merged_into", sa.Text, nullable=True),
        sa.Column("merged_on", sa.Date, nullable=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column(
            "seq",
            sa.BigInteger,
            nullable=False,
            server_default=sa.text("nextval('agency_offices_seq')"),
        ),
    )


def downgrade() -> None:
    op.drop_table("agency_offices")
    op.execute("DROP SEQUENCE agency_offices_seq")
