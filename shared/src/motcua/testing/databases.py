"""Create and drop databases on the real server (tests and the local stack)."""

from __future__ import annotations

import re

import asyncpg

__all__ = ["create_database", "drop_database", "plain_dsn"]

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def plain_dsn(url: str, database: str = "postgres") -> str:
    """An asyncpg DSN for a SQLAlchemy URL, on another database."""
    base = url.replace("postgresql+asyncpg://", "postgresql://").rstrip("/")
    if base.count("/") > 2:
        base = base.rsplit("/", 1)[0]
    return f"{base}/{database}"


async def create_database(base_url: str, name: str) -> None:
    """Create a database if it does not exist."""
    if not _NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    conn = await asyncpg.connect(plain_dsn(base_url))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(base_url: str, name: str) -> None:
    """Drop a database, disconnecting whoever is still on it."""
    if not _NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    conn = await asyncpg.connect(plain_dsn(base_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
