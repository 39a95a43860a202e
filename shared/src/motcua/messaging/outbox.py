"""Transactional outbox: stage events with the state change; a relay publishes them.

Staging events wakes the relay: an outbox trigger notifies `OUTBOX_CHANNEL` when the
transaction commits (`motcua.messaging.wakeups`), so an idle relay waits without polling
(but for a slow safety poll, `idle_poll_seconds`).

Events are sharded by key. A relay holds transaction-level advisory locks on the
shards it publishes, taking their oldest pending events in id order, so any number of
relay instances can run side by side (one takes over the shards another is not
holding) and a key's events still leave in the order they were written. (Row-level
`SKIP LOCKED` alone would let two relays publish the same dossier's events out of order.)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from uuid import UUID

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession as SAAsyncSession

from motcua.events.envelope import Envelope, encode
from motcua.loops import Loop
from motcua.messaging.schema import OUTBOX
from motcua.messaging.wakeups import OUTBOX_CHANNEL, Wakeups
from motcua.metrics import (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISH_ERRORS,
    OUTBOX_PUBLISHED,
)
from motcua.settings import OutboxSettings

__all__ = [
    "EVENT_TYPE_HEADER",
    "SHARDS",
    "OutboxColumns",
    "OutboxRelay",
    "event_headers",
    "outbox_insert_sql",
    "outbox_rows",
    "shard_of",
    "stage",
]

SHARDS = 8
_LOCK_BASE = 7_150_100
_table = OUTBOX
_PARTITIONER = DefaultPartitioner()
EVENT_TYPE_HEADER = "event-type"
"""The Kafka header naming a record's event type (consumers pass over types by it)."""
_HEADER_FIELDS = (
    (EVENT_TYPE_HEADER, "event_type"),
    ("schema-version", "schema_version"),
    ("correlation-id", "correlation_id"),
    ("event-id", "event_id"),
)
log = logging.getLogger(__name__)
# The shards no other relay holds, locked until the end of the transaction.
_LOCK_SHARDS = text(
    "SELECT s FROM generate_series(0, :last) AS s WHERE pg_try_advisory_xact_lock(:base + s)"
).bindparams(last=SHARDS - 1, base=_LOCK_BASE)


# Published events leave the outbox: a delete writes no new row version and no index
# entry, where marking them sent cost PostgreSQL about four times as much (and a purge
# later). One statement text whatever the batch (an `IN` list is a new statement for each
# size of batch).
_DELETE_PUBLISHED = f"DELETE FROM {_table.name} WHERE id = ANY($1::bigint[])"


@functools.cache
def _oldest_pending(shards: int) -> str:
    """The statement taking the oldest pending events of `shards` shards ($2 onwards), at
    most $1 of them, in id order.

    Each shard's oldest are read from its own range of the pending index and merged by id
    (`UNION ALL` of per-shard `LIMIT`s: a Merge Append). Asked of all the shards at once,
    PostgreSQL may instead walk the primary key from the start, past the rows of every
    published event not yet vacuumed: tens of milliseconds a pass under a backlog. Plain
    SQL, one text per shard count, so each pass neither builds nor keys a statement."""
    one = "(SELECT id, topic, key, payload FROM {table} WHERE shard = ${n} ORDER BY id LIMIT $1)"
    merged = " UNION ALL ".join(one.format(table=_table.name, n=n) for n in range(2, shards + 2))
    return f"SELECT id, topic, key, payload FROM ({merged}) AS oldest ORDER BY id LIMIT $1"


def shard_of(key: str) -> int:
    """The outbox shard of a Kafka key (stable across processes)."""
    return zlib.crc32(key.encode()) % SHARDS


def event_headers(payload: bytes) -> list[tuple[str, bytes]]:
    """Kafka headers naming an event, so a consumer can route or trace it without parsing
    the JSON: `event-type`, `schema-version`, `correlation-id` and `event-id`."""
    try:
        envelope = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return []
    return [
        (name, str(envelope[field]).encode())
        for name, field in _HEADER_FIELDS
        if isinstance(envelope, dict) and envelope.get(field) is not None
    ]


def outbox_rows(envelopes: Iterable[Envelope], topic: str | None = None) -> list[dict[str, Any]]:
    """Rows for the outbox table, one per event (to its own topic unless `topic` is given)."""
    rows = []
    for envelope in envelopes:
        key = envelope.key
        rows.append(
            {
                "event_id": envelope.event_id,
                "topic": topic or envelope.topic,
                "key": key,
                "shard": shard_of(key),
                "payload": encode(envelope),
            }
        )
    return rows


async def stage(
    db: SAAsyncSession | AsyncConnection, *envelopes: Envelope, topic: str | None = None
) -> None:
    """Write events to the outbox inside the caller's transaction.

    `topic` overrides the events' own topic (a sandbox for a replay, a test or a benchmark).
    """
    if not envelopes:
        return
    columns = OutboxColumns()
    for row in outbox_rows(envelopes, topic):
        columns.add(row)
    await db.execute(_STAGE, columns.arrays())


@dataclass
class OutboxColumns:
    """Outbox rows (as `outbox_rows` makes them) held as one list per column, to be
    written all at once by `outbox_insert_sql`: one statement, however many events."""

    event_ids: list[UUID] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    shards: list[int] = field(default_factory=list)
    payloads: list[bytes] = field(default_factory=list)

    def add(self, row: Mapping[str, Any]) -> None:
        """One row of `outbox_rows`."""
        self.event_ids.append(row["event_id"])
        self.topics.append(row["topic"])
        self.keys.append(row["key"])
        self.shards.append(row["shard"])
        self.payloads.append(row["payload"])

    def __len__(self) -> int:
        return len(self.event_ids)

    def arrays(self) -> dict[str, list[Any]]:
        """The columns by name, as `outbox_insert_sql`'s arguments name them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def outbox_insert_sql(*, event_ids: str, topics: str, keys: str, shards: str, payloads: str) -> str:
    """The outbox insert of many events at once, from one array per column (`unnest`).

    Each argument names the bind parameter holding that column's array (`OutboxColumns`),
    such as "$3" in a statement sent through asyncpg or ":ids" in SQLAlchemy's `text`
    (`stage` is one). The insert is a fragment of the caller's own statement, so it can
    be a data-modifying CTE beside the change the events report (one round trip for
    both) and share the arrays that change sends already (an event stored with its
    dossier and owed to Kafka travels once).
    """
    return (
        f"INSERT INTO {_table.name} (event_id, topic, key, shard, payload) "
        f"SELECT * FROM unnest(CAST({event_ids} AS uuid[]), CAST({topics} AS text[]), "
        f"CAST({keys} AS text[]), CAST({shards} AS int4[]), CAST({payloads} AS bytea[]))"
    )


# `stage`: one statement however many events (a row-by-row executemany costs PostgreSQL a
# statement per event).
_STAGE = text(outbox_insert_sql(**{f.name: f":{f.name}" for f in fields(OutboxColumns)}))


class OutboxRelay:
    """Publishes committed outbox events to Kafka and marks them sent."""

    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        settings: OutboxSettings,
        service: str,
    ) -> None:
        self._engine = engine
        self._producer = producer
        self._settings = settings
        self._service = service
        self.oldest_pending_age: float | None = None
        """Seconds, as of the last measure (None before the first)."""

    def bind(self, producer: AIOKafkaProducer) -> None:
        """Publish with this (started) producer from the next pass on."""
        self._producer = producer

    async def run(self, stop: asyncio.Event) -> None:
        """Publish and measure until `stop` is set, backing off while Kafka or the database
        is away (a service's runtime runs `step` and `measure` as supervised loops instead)."""
        wakeups = Wakeups(self._engine)
        wake = wakeups.event(OUTBOX_CHANNEL)
        relay = Loop("outbox-relay", self.step, service=self._service, wake=wake)
        backlog = Loop("outbox-backlog", self.measure, service=self._service)
        try:
            await asyncio.gather(relay.run(stop), backlog.run(stop), wakeups.loop.run(stop))
        finally:
            await wakeups.close()

    async def step(self) -> float:
        """One relay pass; the pause before the next (none while events are waiting; else
        the safety poll, which staged events cut short)."""
        try:
            published = await self.publish_pending()
        except Exception:
            OUTBOX_PUBLISH_ERRORS.labels(self._service).inc()
            raise
        return 0.0 if published else self._settings.idle_poll_seconds

    async def measure(self) -> float:
        """Measure the backlog; the pause before the next."""
        await self.measure_backlog()
        return self._settings.measure_seconds

    def stalled(self) -> str | None:
        """A readiness probe: whether the oldest pending event is older than allowed."""
        age = self.oldest_pending_age
        if age is None or age <= self._settings.stall_seconds:
            return None
        return f"the oldest unpublished event is {age:.0f} s old"

    async def publish_pending(self) -> int:
        """One pass: publish the oldest pending events of the shards this relay can lock.

        One transaction: try-lock the shards (another relay keeps those it holds), read
        their oldest pending events in id order, send them, delete them. Taking rows in
        id order over several shards keeps each shard's, hence each key's, order.
        Returns how many were published.
        """
        async with self._engine.begin() as conn:
            shards = list((await conn.execute(_LOCK_SHARDS)).scalars())
            if not shards:
                return 0
            oldest = _oldest_pending(len(shards))
            rows = (await conn.exec_driver_sql(oldest, (self._settings.batch_size, *shards))).all()
            if not rows:
                return 0
            await self._send([(row.topic, row.key.encode(), row.payload) for row in rows])
            await conn.exec_driver_sql(_DELETE_PUBLISHED, ([row.id for row in rows],))
        OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        return len(rows)

    async def _send(self, records: list[tuple[str, bytes, bytes]]) -> None:
        """Send (topic, key, value) records, in order, and wait until Kafka has them all.

        Records are grouped into one record batch per partition, so the producer keeps a
        future per batch instead of one per record. Keys go to the partitions the
        producer's own default partitioner (murmur2, as Kafka's Java client) would choose.
        """
        by_partition: dict[tuple[str, int], list[tuple[bytes, bytes]]] = {}
        partitions: dict[str, list[int]] = {}
        for topic, key, value in records:
            if topic not in partitions:
                partitions[topic] = sorted(await self._producer.partitions_for(topic))
            partition = _PARTITIONER(key, partitions[topic], partitions[topic])
            by_partition.setdefault((topic, partition), []).append((key, value))
        delivered = []
        for (topic, partition), pairs in by_partition.items():
            batch = self._producer.create_batch()
            for key, value in pairs:
                headers = event_headers(value)
                if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                    delivered.append(
                        await self._producer.send_batch(batch, topic, partition=partition)
                    )
                    batch = self._producer.create_batch()
                    if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                        raise ValueError(f"an event of {len(value)} bytes exceeds a record batch")
            delivered.append(await self._producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*delivered)

    async def measure_backlog(self) -> None:
        """Measure the backlog: how many events are owed, and the age of the oldest (its
        own query, whether or not the relay succeeds)."""
        async with self._engine.connect() as conn:
            backlog, age = (
                await conn.execute(
                    select(
                        func.count(),
                        func.coalesce(
                            func.extract("epoch", func.now() - func.min(_table.c.created_at)), 0
                        ),
                    )
                )
            ).one()
        self.oldest_pending_age = float(age)
        OUTBOX_BACKLOG.labels(self._service).set(backlog)
        OUTBOX_OLDEST_AGE.labels(self._service).set(self.oldest_pending_age)
