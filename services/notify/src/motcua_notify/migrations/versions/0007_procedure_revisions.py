"""Every revision of each procedure, as the catalogue publishes them: a reception names the
revision it follows (the receipt gives its name and steps) instead of copying it.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from motcua.catalogue import create_procedure_revisions, drop_procedure_revisions

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_procedure_revisions(op.get_bind())


def downgrade() -> None:
    drop_procedure_revisions(op.get_bind())
