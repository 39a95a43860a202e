"""Scoring tables: dossier facts, counters, scopes, keys to re-publish, the indicator change
log, open dossiers.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dossier_facts",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("facts", JSONB, nullable=True),
        sa.Column("alerts", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("updated_at", _TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "counters",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("period", sa.Text, primary_key=True),
        sa.Column("counter", sa.Text, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "scopes",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("first_seen", _TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_scopes_kind", "scopes", ["kind"])
    op.create_table(
        "dirty_keys",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("period", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "indicator_changes",
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("figures", JSONB, nullable=False),
        sa.Column("changed_at", _TS, nullable=False),
    )
    op.create_index("indicator_changes_key", "indicator_changes", ["scope", "period", "seq"])
    op.create_table(
        "change_log_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pruned_through", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO change_log_state (id, pruned_through) VALUES (1, 0)")
    op.create_table(
        "open_dossiers",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("agency", sa.Text, nullable=True),
        sa.Column("unit", sa.Text, nullable=True),
        sa.Column("procedure", sa.Text, nullable=True),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("due_at", _TS, nullable=True),
        sa.Column("due_soon_for", _TS, nullable=True),
        sa.Column("overdue_for", _TS, nullable=True),
    )
    op.create_index("open_dossiers_agency_due", "open_dossiers", ["agency", "due_at"])
    op.create_index("open_dossiers_unit_due", "open_dossiers", ["unit", "due_at"])
    op.create_index("open_dossiers_due", "open_dossiers", ["due_at"])


def downgrade() -> None:
    for table in (
        "open_dossiers",
        "change_log_state",
        "indicator_changes",
        "scopes",
        "dirty_keys",
        "counters",
        "dossier_facts",
    ):
        op.drop_table(table)
