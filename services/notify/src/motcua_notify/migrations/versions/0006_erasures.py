"""Erased applicants: when a dossier's applicant was erased (`ApplicantErased`).

Only the time, nothing personal: an older `ApplicantRecorded` read again later must
not bring the contacts back.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dossiers", sa.Column("erased_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("dossiers", "erased_at")
