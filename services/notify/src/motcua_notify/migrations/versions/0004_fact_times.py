"""Event time in the dossier view: when the last applied fact of each kind happened.

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
    op.add_column("dossiers", sa.Column("fact_times", JSONB, nullable=False, server_default="{}"))


def downgrade() -> None:
    op.drop_column("dossiers", "fact_times")
