"""The tables every service's database holds for reliable messaging.

A service's first migration calls `create_messaging_tables(op.get_bind())`.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    Table,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from motcua.messaging.wakeups import OUTBOX_CHANNEL, install_notify_trigger

__all__ = [
    "DEAD_LETTERS",
    "OUTBOX",
    "PROCESSED",
    "DeadLetterRecord",
    "OutboxMessage",
    "ProcessedEvent",
    "create_messaging_tables",
    "drop_messaging_tables",
    "upgrade_messaging_tables",
]


class OutboxMessage(SQLModel, table=True):
    """An event owed to Kafka, written in the same transaction as the change it reports,
    and deleted in the transaction that records Kafka has it: the outbox holds only what
    is owed. `outbox_pending` serves the relay (each shard's oldest first)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("outbox_pending", "shard", "id"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    event_id: UUID = Field(unique=True)
    topic: str
    key: str
    shard: int
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


class ProcessedEvent(SQLModel, table=True):
    """Proof that a consumer applied an event; committed with the event's effects."""

    __tablename__ = "processed_events"

    consumer: str = Field(primary_key=True)
    event_id: UUID = Field(primary_key=True)
    processed_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


class DeadLetterRecord(SQLModel, table=True):
    """A local record of each message sent to the dead-letter topic (for `/ready` and audits)."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index("dead_letters_source", "consumer", "topic", "partition", "offset", unique=True),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    consumer: str
    topic: str
    partition: int
    offset: int = Field(sa_column=Column(BigInteger, nullable=False))
    event_id: str | None = None
    reason: str
    error: str
    attempts: int
    detail: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    failed_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
PROCESSED: Table = ProcessedEvent.__table__  # type: ignore[attr-defined]
DEAD_LETTERS: Table = DeadLetterRecord.__table__  # type: ignore[attr-defined]
_TABLES = [OUTBOX, PROCESSED, DEAD_LETTERS]
_OUTBOX_PENDING = next(index for index in OUTBOX.indexes if index.name == "outbox_pending")


def create_messaging_tables(bind: Connection) -> None:
    """Create the outbox, processed-event and dead-letter tables (migration helper)."""
    SQLModel.metadata.create_all(bind, tables=_TABLES)
    install_notify_trigger(bind, "outbox", OUTBOX_CHANNEL)


_DEDUPLICATE_LETTERS = text(
    "DELETE FROM dead_letters d USING dead_letters e"
    " WHERE d.consumer = e.consumer AND d.topic = e.topic AND d.partition = e.partition"
    ' AND d."offset" = e."offset" AND d.id > e.id'
)
_UNIQUE_LETTERS = text(
    "CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_source"
    ' ON dead_letters (consumer, topic, partition, "offset")'
)


# An outbox of before 2026-12: published events were marked (`published_at`), kept a day
# and purged; now the relay deletes them as Kafka acknowledges them.
_MARKED_OUTBOX = text(
    "SELECT 1 FROM information_schema.columns"
    " WHERE table_name = 'outbox' AND column_name = 'published_at'"
    " AND table_schema = current_schema()"
)
_UNMARK_OUTBOX = (
    "DELETE FROM outbox WHERE published_at IS NOT NULL",
    "DROP INDEX IF EXISTS outbox_published",
    "DROP INDEX IF EXISTS outbox_pending",
    "ALTER TABLE outbox DROP COLUMN published_at",
)


def upgrade_messaging_tables(bind: Connection) -> None:
    """Bring tables created by an older version up to date (run by `motcua.db.migrate`):
    a message is dead-lettered once, so letters recorded twice are merged first; staging
    events wakes the relay (a NOTIFY trigger on the outbox); the outbox holds only the
    events still owed (those published are deleted, with their mark and its indexes)."""
    if bind.execute(text("SELECT to_regclass('outbox')")).scalar() is not None:
        install_notify_trigger(bind, "outbox", OUTBOX_CHANNEL)
        if bind.execute(_MARKED_OUTBOX).first() is not None:
            for statement in _UNMARK_OUTBOX:
                bind.execute(text(statement))
            _OUTBOX_PENDING.create(bind)
    if bind.execute(text("SELECT to_regclass('dead_letters')")).scalar() is None:
        return
    if bind.execute(text("SELECT to_regclass('dead_letters_source')")).scalar() is None:
        bind.execute(_DEDUPLICATE_LETTERS)
        bind.execute(_UNIQUE_LETTERS)


def drop_messaging_tables(bind: Connection) -> None:
    """Drop them again (migration downgrade helper)."""
    SQLModel.metadata.drop_all(bind, tables=_TABLES)
