"""The applicant apart from the dossier's events: the latest `ApplicantRecorded` of each
dossier (`portal_applicants`) and the dossiers whose applicant was erased
(`portal_erasures`, no personal data).

Dossiers received before `dossier.received` lost its applicant keep syncing: their stored
reception's applicant and proxy move to `portal_applicants` (a later `ApplicantRecorded`
replaces them, an `ApplicantErased` deletes them) and leave the stored event, which keeps
the applicant's kind. A downgrade drops the tables; it does not put the applicants back.

Frozen: the tables as they were at this revision.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_NOW = sa.text("now()")

_MOVE_APPLICANTS = """
INSERT INTO portal_applicants (code, event_id, occurred_at, recorded_at, applicant, proxy)
SELECT DISTINCT ON (dossier_code)
    dossier_code, event_id, occurred_at, recorded_at, data -> 'applicant',
    nullif(data -> 'proxy', CAST('null' AS jsonb))
FROM portal_events
WHERE event_type = 'dossier.received'
  AND jsonb_typeof(data -> 'applicant') = 'object'
ORDER BY dossier_code, occurred_at DESC, recorded_at DESC
"""

_STRIP_EVENTS = """
UPDATE portal_events
SET data = (data - 'applicant' - 'proxy') || jsonb_build_object(
    'applicant_kind',
    coalesce(data ->> 'applicant_kind', data -> 'applicant' ->> 'kind', 'citizen')
)
WHERE event_type = 'dossier.received' AND (data ? 'applicant' OR data ? 'proxy')
"""


def upgrade() -> None:
    op.create_table(
        "portal_applicants",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("occurred_at", _TZ, nullable=False),
        sa.Column("recorded_at", _TZ, nullable=False),
        sa.Column("applicant", JSONB, nullable=False),
        sa.Column("proxy", JSONB),
        sa.Column("stored_at", _TZ, nullable=False, server_default=_NOW),
    )
    op.create_table(
        "portal_erasures",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("erased_at", _TZ, nullable=False),
        sa.Column("noted_at", _TZ, nullable=False, server_default=_NOW),
    )
    op.execute(_MOVE_APPLICANTS)
    op.execute(_STRIP_EVENTS)


def downgrade() -> None:
    op.drop_table("portal_erasures")
    op.drop_table("portal_applicants")
