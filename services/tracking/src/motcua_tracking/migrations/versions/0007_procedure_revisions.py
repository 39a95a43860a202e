"""Every revision of each procedure, as the catalogue publishes them: a reception names the
revision its deadlines follow instead of copying it. The newest revision already kept per
procedure is copied in, so receptions naming it are applied at once after the upgrade.

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
    op.execute(
        "INSERT INTO procedure_revisions (code, revision, terms) "
        "SELECT code, revision, terms FROM procedures"
    )


def downgrade() -> None:
    drop_procedure_revisions(op.get_bind())
