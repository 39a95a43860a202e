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
    """An event owed to Kafka, written in the same transaction as the change it reports.

    `outbox_pending` serves the relay; `outbox_published` the housekeeping that deletes
    events published long ago, which without it read every event kept."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("outbox_pending", "shard", "id", postgresql_where=text("published_at IS NULL")),
        Index(
            "outbox_published", "published_at", postgresql_where=text("published_at IS NOT NULL")
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    event_id: UUID = Field(unique=True)
    topic: str
    key: str
    shard: int
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
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
_OUTBOX_PUBLISHED = next(index for index in OUTBOX.indexes if index.name == "outbox_published")


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


def upgrade_messaging_tables(bind: Connection) -> None:
    """Bring tables created by an older version up to date (run by `motcua.db.migrate`):
    a message is dead-lettered once, so letters recorded twice are merged first; staging
    events wakes the relay (a NOTIFY trigger on the outbox); events published long ago
    are found through an index of their publication time."""
    if bind.execute(text("SELECT to_regclass('outbox')")).scalar() is not None:
        install_notify_trigger(bind, "outbox", OUTBOX_CHANNEL)
        _OUTBOX_PUBLISHED.create(bind, checkfirst=True)
    if bind.execute(text("SELECT to_regclass('dead_letters')")).scalar() is None:
        return
    if bind.execute(text("SELECT to_regclass('dead_letters_source')")).scalar() is None:
        bind.execute(_DEDUPLICATE_LETTERS)
        bind.execute(_UNIQUE_LETTERS)


def drop_messaging_tables(bind: Connection) -> None:
    """Drop them again (migration downgrade helper)."""
    SQLModel.metadata.drop_all(bind, tables=_TABLES)
