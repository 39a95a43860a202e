"""Daily digests still to send, by unit: an overdue alert's withdrawal looks them up (to
write them anew without the dossier) among every row of the delivery log, which without
this index read the whole table once per withdrawal.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "notifications_pending_digests",
        "notifications",
        ["unit_code"],
        postgresql_where=sa.text("status = 'pending' AND message_type = 'daily_digest'"),
    )


def downgrade() -> None:
    op.drop_index("notifications_pending_digests", table_name="notifications")
