"""The scoring tables as SQLAlchemy Core tables (migration 0002 creates them).

Core rather than ORM models: every write is a bulk statement over plain rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

__all__ = [
    "agencies",
    "change_log_state",
    "counters",
    "dirty_keys",
    "dossier_facts",
    "indicator_changes",
    "metadata",
    "open_dossiers",
    "scopes",
]

metadata = sa.MetaData()

dossier_facts = sa.Table(
    "dossier_facts",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("facts", JSONB),
    sa.Column("alerts", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("period", sa.Text, primary_key=True),
    sa.Column("counter", sa.Text, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    postgresql_with={"fillfactor": 80},  # room for updates in place (migration 0006)
)

scopes = sa.Table(
    "scopes",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False, index=True),
    sa.Column("first_seen", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

indicator_changes = sa.Table(
    "indicator_changes",
    metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("figures", JSONB, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("indicator_changes_key", "scope", "period", "seq"),
)

change_log_state = sa.Table(
    "change_log_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pruned_through", sa.BigInteger, nullable=False),
)

open_dossiers = sa.Table(
    "open_dossiers",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("agency", sa.Text),
    sa.Column("unit", sa.Text),
    sa.Column("procedure", sa.Text),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("due_soon_for", sa.DateTime(timezone=True)),
    sa.Column("overdue_for", sa.DateTime(timezone=True)),
    sa.Index("open_dossiers_agency_due", "agency", "due_at"),
    sa.Index("open_dossiers_unit_due", "unit", "due_at"),
    sa.Index("open_dossiers_due", "due_at"),
)

dirty_keys = sa.Table(
    "dirty_keys",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("period", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
)

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("units", JSONB, nullable=False),
    sa.Column("retired_at", sa.DateTime(timezone=True)),
    sa.Column("merged_into", sa.Text),
    sa.Column("merged_on", sa.Date),
    sa.Column("revision", sa.Integer, nullable=False),
)

procedures = sa.Table(
    "procedures",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
)
