"""Every revision of each procedure, as the catalogue publishes them: a reception names the
revision it follows (the record's procedure code, name and field) instead of copying it.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from motcua.catalogue import create_procedure_revisions, drop_procedure_revisions

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_procedure_revisions(op.get_bind())


def downgrade() -> None:
    drop_procedure_revisions(op.get_bind())
