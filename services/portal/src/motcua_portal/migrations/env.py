"""Alembic environment of the portal service (run through motcua.db.migrate)."""

from alembic import context

from motcua.db import run_migrations_env

run_migrations_env(context)
