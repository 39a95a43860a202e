"""Tracking tables: dossiers, timers, procedures, calendar decisions.

Revision ID: 0002
Revises: 0001
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _instant(name: str, nullable: bool = True) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("agency_code", sa.Text, nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("is_open", sa.Boolean, nullable=False),
        _instant("received_at", nullable=False),
        _instant("due_at"),
        _instant("horizon_at"),
        sa.Column("phone_hash", sa.Text),
        sa.Column("document", JSONB, nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
    )
    op.create_index(
        "dossiers_open_horizon", "dossiers", ["horizon_at"], postgresql_where=sa.text("is_open")
    )
    op.create_table(
        "timers",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("dossier_code", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("step_seq", sa.Integer, nullable=False),
        sa.Column("share_percent", sa.SmallInteger, nullable=False),
        _instant("due_at", nullable=False),
        _instant("fire_at", nullable=False),
        _instant("fired_at"),
    )
    op.create_index(
        "timers_pending", "timers", ["fire_at"], postgresql_where=sa.text("fired_at IS NULL")
    )
    op.create_index("timers_dossier", "timers", ["dossier_code"])
    op.create_table(
        "procedures",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("competent_agency", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("terms", JSONB, nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
    )
    op.create_table(
        "calendar_decisions",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
        _instant("loaded_at", nullable=False),
    )


def downgrade() -> None:
    for table in ("calendar_decisions", "procedures", "timers", "dossiers"):
        op.drop_table(table)
