"""Room on each page of the counters for their updates: every batch adds to thousands of
counters in place, and an update that fits on its row's page leaves the primary key's
index alone (a heap-only tuple). Pages are filled to 80 %; the setting applies to pages
written from now on.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE counters SET (fillfactor = 80)")


def downgrade() -> None:
    op.execute("ALTER TABLE counters RESET (fillfactor)")
