"""The applicant's personal data leaves the dossier log: intake keeps, per dossier, only a
keyed digest of the identity number (to find a person's dossiers for an erasure request)
and when the record was erased; every erasure is audited.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicants",
        sa.Column("dossier_code", sa.Text, primary_key=True),
        sa.Column("agency_code", sa.Text, nullable=False),
        sa.Column("id_digest", sa.LargeBinary),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "applicants_by_id_digest",
        "applicants",
        ["id_digest"],
        postgresql_where=sa.text("id_digest IS NOT NULL"),
    )
    op.create_index(
        "applicants_kept",
        "applicants",
        ["dossier_code"],
        postgresql_where=sa.text("erased_at IS NULL"),
    )
    op.create_table(
        "erasures",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("dossier_code", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("requested_by", sa.Text),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("erasures_by_time", "erasures", ["erased_at"])


def downgrade() -> None:
    op.drop_table("erasures")
    op.drop_table("applicants")
