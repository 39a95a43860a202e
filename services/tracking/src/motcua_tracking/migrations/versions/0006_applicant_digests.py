"""The citizen look-up's phone digest leaves the dossier row for a table of its own,
filled from the applicants' topic and emptied by an erasure (which it remembers, without
personal data, so a re-read record stays erased). Receptions kept for replays lose the
applicant and proxy they used to carry.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SCRUB_RECEPTIONS = """
UPDATE dossier_events
SET envelope = jsonb_set(
    envelope #- '{data,applicant}' #- '{data,proxy}',
    '{data,applicant_kind}',
    to_jsonb(coalesce(envelope #>> '{data,applicant,kind}', 'citizen'))
)
WHERE envelope ->> 'event_type' = 'dossier.received'
  AND (envelope -> 'data' ? 'applicant' OR envelope -> 'data' ? 'proxy')
"""


def upgrade() -> None:
    op.create_table(
        "applicant_digests",
        sa.Column("dossier_code", sa.Text, primary_key=True),
        sa.Column("phone_hash", sa.Text, nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute(
        "INSERT INTO applicant_digests (dossier_code, phone_hash)"
        " SELECT code, phone_hash FROM dossiers WHERE phone_hash IS NOT NULL"
    )
    op.drop_column("dossiers", "phone_hash")
    op.execute(_SCRUB_RECEPTIONS)


def downgrade() -> None:
    op.add_column("dossiers", sa.Column("phone_hash", sa.Text, nullable=True))
    op.execute(
        "UPDATE dossiers SET phone_hash = d.phone_hash FROM applicant_digests d"
        " WHERE d.dossier_code = dossiers.code"
    )
    op.drop_table("applicant_digests")
