"""The async database engine (SQLAlchemy on asyncpg), per-service Alembic migrations, and
the server-level helpers that create databases (the local stack, the tests)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, MetaData, Text, any_, bindparam, event, exc, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from motcua.settings import DatabaseSettings

__all__ = [
    "Sessions",
    "advisory_lock",
    "among",
    "asyncpg_dsn",
    "create_engine",
    "ensure_databases",
    "json_text",
    "migrate",
    "ping",
    "quote_identifier",
    "run_migrations_env",
    "sessions",
]

Sessions = async_sessionmaker[AsyncSession]

_MIGRATION_LOCK = 7_150_001

# A pooled connection idle longer than this is pinged before it is lent again.
IDLE_BEFORE_PING = 1.0


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """An async engine with a bounded pool whose idle connections are pinged when lent."""
    engine = create_async_engine(
        settings.url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        echo=settings.echo,
        # Parameters carry personal data (names, phones, rendered messages): never log them.
        hide_parameters=True,
        # JSON and JSONB columns in and out with orjson, not the standard library's json.
        json_serializer=json_text,
        json_deserializer=orjson.loads,
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before lending it only if it sat idle for more than
    `IDLE_BEFORE_PING` seconds.

    SQLAlchemy's `pool_pre_ping` pings at every checkout, and on asyncpg a ping is three
    round trips (a transaction begun, `;`, rolled back): under load that was 7 % of
    notify's CPU, which lends a connection several times a message. A connection
    returned a moment ago is alive unless the server restarted in that moment, and then
    the statement's disconnect error invalidates the whole pool, as a failed ping does,
    and the caller's retry (a consumer's batch, a loop's pass) gets fresh connections.
    """
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def returned(dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def lent(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at <= IDLE_BEFORE_PING:
            return  # new, or back a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # the server went away while it sat in the pool
            raise exc.InvalidatePoolError() from error


def json_text(value: Any) -> str:
    """JSON text for a `json`/`jsonb` column or a `::jsonb` cast (the engine's serializer).
    Keys that are not strings (ints, enums' values) become strings, as json.dumps does;
    orjson's option for them costs about 70 % more a document, so only a document that
    has such keys takes it."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def among(column: Any, codes: Iterable[str]) -> Any:
    """`column = ANY(array)` of text codes: one statement text for any number of codes."""
    return column == any_(bindparam("codes", list(codes), type_=ARRAY(Text)))


def sessions(engine: AsyncEngine) -> Sessions:
    """A session factory whose sessions keep objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def advisory_lock(
    conn: AsyncConnection | AsyncSession, key: int, *, shared: bool = False
) -> None:
    """Wait for PostgreSQL's advisory lock `key` and hold it until the transaction ends
    (`shared`: alongside other shared holders, excluding an exclusive one)."""
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await conn.execute(text(f"SELECT {function}(:key)"), {"key": key})


async def migrate(engine: AsyncEngine, migrations: Path) -> None:
    """Upgrade the database to the newest revision, one instance at a time; the common
    messaging tables are brought up to date as well."""
    # Imported here: the messaging package itself imports this module.
    from motcua.messaging.schema import upgrade_messaging_tables

    async with engine.begin() as conn:
        await advisory_lock(conn, _MIGRATION_LOCK)
        await conn.run_sync(_upgrade, migrations)
        await conn.run_sync(upgrade_messaging_tables)


def _upgrade(conn: Connection, migrations: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def run_migrations_env(context: Any, target_metadata: MetaData | None = None) -> None:
    """The body of a service's Alembic `env.py`: run on the connection handed over by `migrate`."""
    conn = context.config.attributes.get("connection")
    if conn is None:
        raise RuntimeError("run migrations through motcua.db.migrate (it supplies the connection)")
    context.configure(connection=conn, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def migrate_blocking(url: str, migrations: Path) -> None:
    """Run `migrate` from synchronous code (command-line tools)."""

    async def _run() -> None:
        engine = create_engine(DatabaseSettings(url=url))
        try:
            await migrate(engine, migrations)
        finally:
            await engine.dispose()

    asyncio.run(_run())


def asyncpg_dsn(url: str, database: str = "postgres") -> str:
    """A plain `postgresql://` DSN for asyncpg from a SQLAlchemy URL, on `database`."""
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


def quote_identifier(name: str) -> str:
    """`name` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


async def ensure_databases(url: str, names: Iterable[str]) -> list[str]:
    """Create the databases that do not exist yet on the server of `url` (a SQLAlchemy URL,
    database name ignored); return the ones created."""
    created: list[str] = []
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
    try:
        for name in names:
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if exists:
                continue
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await connection.execute(f"CREATE DATABASE {quote_identifier(name)}")
                created.append(name)
    finally:
        await connection.close()
    return created
