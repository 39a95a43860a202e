"""Agencies administered through the API: office hours, cut-off, retirement, merges,
a revision and whether the current state was published.

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

_HOURS = """'[["07:30", "11:30"], ["13:00", "17:00"]]'::jsonb"""


def upgrade() -> None:
    op.add_column(
        "agencies", sa.Column("office_hours", JSONB, nullable=False, server_default=sa.text(_HOURS))
    )
    op.add_column(
        "agencies", sa.Column("late_cutoff", sa.Text, nullable=True, server_default="15:00")
    )
    op.add_column("agencies", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("agencies", sa.Column("merged_into", sa.Text, nullable=True))
    op.add_column("agencies", sa.Column("merged_on", sa.Date, nullable=True))
    op.add_column("agencies", sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
    # Agencies seeded before this revision have never been published: the next start does.
    op.add_column(
        "agencies", sa.Column("published", sa.Boolean, nullable=False, server_default="false")
    )
    op.add_column(
        "agencies",
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


def downgrade() -> None:
    for column in (
        "updated_at",
        "published",
        "revision",
        "merged_on",
        "merged_into",
        "retired_at",
        "late_cutoff",
        "office_hours",
    ):
        op.drop_column("agencies", column)
