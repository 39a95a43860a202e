"""The dossiers that wait for their applicant's contacts: the housekeeping gauge counts
them every few seconds, and without this index it read every dossier ever seen to do so.
The predicate is `adapters.dossier_store.WAITING`'s, word for word.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "dossiers_waiting",
        "dossiers",
        ["code"],
        postgresql_where=sa.text(
            "erased_at IS NULL AND (jsonb_array_length(parked) > 0"
            " OR (applicant IS NULL AND received_event_id IS NOT NULL"
            " AND receipt_event_id IS NULL AND closed_at IS NULL))"
        ),
    )


def downgrade() -> None:
    op.drop_index("dossiers_waiting", table_name="dossiers")
