"""The idempotent, at-least-once batch consumer every service uses.

For each batch of records:
0. pass over, unread and unrecorded, the events of types the consumer does not apply (when
   it names them: `event_types`), known by their `event-type` header before any decoding;
1. decode; a record that is not a valid event goes to the dead-letter topic at once, and
   so does one whose key is not its event's key (the dossier code: a mis-keyed event
   could overtake its predecessor on another partition) or whose event names a producer
   other than the owner of its event type's topic;
2. in ONE database transaction, record the event ids in `processed_events`
   (`ON CONFLICT DO NOTHING`) and apply the effects of those not seen before;
3. if the batch fails, apply its events one at a time, each retried with backoff
   up to `max_attempts`, then dead-lettered, so a poison message never blocks
   its partition;
4. only then commit the Kafka offsets.
If the database itself is unreachable nothing is dead-lettered: the batch is
rewound (seek) and read again after a pause that grows with each failure in a row
(`motcua.loops`: backoff with jitter, cut short when the service stops). Any other
failure that escapes a batch rewinds it too: a batch is committed or read again,
never passed over. Once its events are applied, the batch's dead letters are sent and
recorded with retries of their own, so a failure there does not read the applied
events again. An event that needs something its service has not read yet from another
topic (`NotYetApplicable`: a reception whose procedure revision is still on its way on
the catalogue topic) rewinds its batch the same way: it waits, it is never dead-lettered.

Steps 3 and 4 and the rewinds are `RetryingBatches`, which intake's command reader
shares: only what an item is and how items are applied differ.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Sequence
from itertools import chain
from typing import Any, Generic, TypeVar
from uuid import UUID

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.kafka.subscriber.usecase import BatchSubscriber
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import Sessions
from motcua.events.envelope import Envelope, InvalidEvent, decode
from motcua.loops import Backoff, sleep
from motcua.messaging.deadletters import DeadLetter, DeadLetterPublisher
from motcua.messaging.outbox import EVENT_TYPE_HEADER
from motcua.messaging.schema import PROCESSED
from motcua.metrics import (
    CONSUMED,
    CONSUMER_BATCH_SECONDS,
    CONSUMER_LAG,
    CONSUMER_RETRIES,
    CONSUMER_WAITS,
    DUPLICATES_SKIPPED,
    PASSED_OVER,
)
from motcua.settings import ConsumerSettings

__all__ = [
    "BatchHandler",
    "IdempotentConsumer",
    "NotYetApplicable",
    "PermanentError",
    "PromptBatchSubscriber",
    "RetryingBatches",
    "batch_subscriber",
    "is_infrastructure_error",
    "provenance_fault",
    "raw_bodies",
]

BatchHandler = Callable[[AsyncSession, list[Envelope]], Awaitable[None]]
# One statement whatever the batch's size (prepared once, not compiled per batch).
_RECORD_SEEN = sa.text(
    f"INSERT INTO {PROCESSED.name} (consumer, event_id)"
    " SELECT :consumer, unnest(CAST(:event_ids AS uuid[]))"
    " ON CONFLICT DO NOTHING RETURNING event_id"
).columns(sa.column("event_id", sa.Uuid()))

log = logging.getLogger(__name__)
_Item = TypeVar("_Item")

_INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    ConnectionError,
    OSError,
    TimeoutError,
    # Publishing dead letters: the producer is renewed and the batch read again.
    KafkaError,
)
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
"""Connection exception, insufficient resources, operator intervention (the server shutting
down, `admin_shutdown`, `cannot_connect_now`): the database, not the event, is at fault."""


def is_infrastructure_error(error: BaseException) -> bool:
    """Whether `error` means the database or broker is unavailable (the batch is read again
    later) rather than that an event cannot be applied.

    asyncpg's errors while PostgreSQL stops or starts (`AdminShutdownError`,
    `CannotConnectNowError`) reach us as a plain SQLAlchemy `DBAPIError`: they are told by
    their SQLSTATE class, or by SQLAlchemy having invalidated the connection."""
    if isinstance(error, _INFRASTRUCTURE_ERRORS):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        for cause in (error.orig, getattr(error.orig, "__cause__", None)):
            state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
            if isinstance(state, str) and state[:2] in _UNAVAILABLE_SQLSTATE_CLASSES:
                return True
    return False


def provenance_fault(
    record: ConsumerRecord[bytes, bytes], envelope: Envelope
) -> tuple[str, str] | None:
    """(reason, detail) when a record did not come the way its event says, else None:
    its key differs from the event's key, or its producer is not the owner of the event
    type's topic."""
    owner = envelope.data.topic.owner
    if envelope.producer != owner:
        return (
            "unexpected_producer",
            f"{envelope.event_type} is written by {owner}, not {envelope.producer!r}",
        )
    try:
        expected = envelope.key
    except InvalidEvent as exc:
        return "invalid_event", str(exc)
    key = record.key.decode(errors="replace") if record.key is not None else None
    if key != expected:
        return "key_mismatch", f"record key {key!r} is not the event's key {expected!r}"
    return None


class NotYetApplicable(Exception):
    """An event needs what its service has not read yet from another topic: its batch is
    rewound and read again after a pause (counted in `motcua_consumer_waits_total`)."""


def _must_wait(error: BaseException) -> bool:
    return is_infrastructure_error(error) or isinstance(error, NotYetApplicable)


class PermanentError(Exception):
    """An event that can never be applied: it is dead-lettered at once with this code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class RetryingBatches(Generic[_Item]):
    """The batch loop every Kafka reader shares: prepare the records, apply them whole,
    one by one with retries if the whole batch fails, dead-letter what cannot be
    applied, then commit; rewind and pause when the batch must be read again.

    A reader says what an item is (`prepare`, `record_of`, `event_id_of`) and how a list
    of them is applied in one transaction, returning the letters of those it refuses
    (`apply`). The idempotent consumer's items are decoded events;
    intake's command reader's are commands.
    """

    def __init__(
        self,
        *,
        name: str,
        service: str,
        dead_letters: DeadLetterPublisher,
        settings: ConsumerSettings,
        stop: asyncio.Event | None = None,
    ) -> None:
        self.name = name
        self._service = service
        self._dead_letters = dead_letters
        self._settings = settings
        self._stop = stop or asyncio.Event()
        self._backoff = Backoff(settings.backoff_initial_seconds, settings.backoff_max_seconds)
        self.failures = 0
        """Batches rewound in a row because the database or broker was unavailable."""

    def prepare(
        self, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> tuple[list[_Item], list[DeadLetter]]:
        """The items to apply, and the letters of records refused before any work."""
        raise NotImplementedError

    async def apply(self, items: list[_Item]) -> list[DeadLetter]:
        """Apply items in one transaction; the letters of those refused (an exception
        fails them all: the batch is then applied one by one)."""
        raise NotImplementedError

    def record_of(self, item: _Item) -> ConsumerRecord[bytes, bytes]:
        """The record an item was read from."""
        raise NotImplementedError

    def event_id_of(self, item: _Item) -> str | None:
        """The event id a dead letter of the item names (none unless the item is an event)."""
        return None

    def letter(self, item: _Item, code: str, detail: str, attempts: int) -> DeadLetter:
        """The dead letter of an item refused or failed after `attempts` tries."""
        return DeadLetter(self.record_of(item), code, detail, attempts, self.event_id_of(item))

    def subscribe(self, broker: KafkaBroker, *topics: str, group_id: str, **options: Any) -> None:
        """Register a FastStream batch subscriber (manual commits) feeding this reader."""
        subscriber = batch_subscriber(
            broker,
            *topics,
            group_id=group_id,
            settings=self._settings,
            title=f"{self.name}:{'+'.join(topics)}",
            **options,
        )

        @subscriber
        async def on_records(message: KafkaMessage) -> None:
            await self.on_batch(message)

    async def on_batch(self, message: KafkaMessage) -> None:
        """FastStream entry point: process, then commit; rewind on infrastructure failure."""
        raw = message.raw_message
        records = list(raw) if isinstance(raw, tuple) else [raw]
        try:
            await self.process(records)
        except Exception as error:
            # Whatever the failure, the batch is rewound: left uncommitted but not rewound,
            # the next commit would pass over it.
            self.failures += 1
            pause = self._backoff.delay(self.failures)
            if isinstance(error, NotYetApplicable):
                CONSUMER_WAITS.labels(self._service).inc()
                log.warning("%s; batch will be read again in %.2f s", error, pause)
            elif is_infrastructure_error(error):
                log.exception(
                    "database or broker unavailable; batch will be read again in %.2f s", pause
                )
            else:
                log.exception("batch failed; it will be read again in %.2f s", pause)
            await sleep(self._stop, pause)
            await message.nack()
            return
        self.failures = 0
        await message.ack()
        self._record_lag(message, records)

    def _record_lag(
        self, message: KafkaMessage, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> None:
        consumer = getattr(message, "consumer", None)
        highwater = getattr(consumer, "highwater", None)
        if highwater is None:
            return
        last: dict[tuple[str, int], int] = {}
        for record in records:
            last[(record.topic, record.partition)] = record.offset
        for (topic, partition), offset in last.items():
            end = highwater(TopicPartition(topic, partition))
            if end is not None:
                CONSUMER_LAG.labels(self._service, topic, str(partition)).set(
                    max(end - offset - 1, 0)
                )

    async def process(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """Apply a batch of records; returns once every record is applied or dead-lettered."""
        started = time.perf_counter()
        items, letters = self.prepare(records)
        if items:
            try:
                letters += await self.apply(items)
            except Exception as error:
                if _must_wait(error):
                    raise
                log.warning("batch failed; applying its items one by one", exc_info=True)
                for item in items:
                    letters += await self._apply_one(item)
        await self._settle(letters)
        CONSUMER_BATCH_SECONDS.labels(self._service).observe(time.perf_counter() - started)

    async def _settle(self, letters: list[DeadLetter]) -> None:
        """Send and record the batch's dead letters, retrying until done: the batch's items
        are applied, so reading it again would only repeat them. Letters already sent are
        not sent again when only their record failed. If the service stops first, the
        error is raised and the batch is read again after the restart."""
        if not letters:
            return
        pending: list[DeadLetter] | None = None
        sent = False
        failures = 0
        while True:
            try:
                if pending is None:
                    pending = await self._dead_letters.unsent(letters, self.name)
                if not sent:
                    await self._dead_letters.send(pending, self.name)
                    sent = True
                await self._dead_letters.record(pending, self.name)
                return
            except Exception:
                failures += 1
                if self._stop.is_set():
                    raise
                pause = self._backoff.delay(failures)
                log.exception("dead letters not settled; retrying in %.2f s", pause)
                await sleep(self._stop, pause)

    async def _apply_one(self, item: _Item) -> list[DeadLetter]:
        """One item, retried with backoff up to `max_attempts`, then dead-lettered."""
        delay = self._settings.backoff_initial_seconds
        attempts = self._settings.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return await self.apply([item])
            except PermanentError as exc:
                return [self.letter(item, exc.code, exc.detail, attempt)]
            except Exception as exc:
                if _must_wait(exc):
                    raise
                if attempt == attempts:
                    log.error(
                        "%s: failed %d times; dead-lettering",
                        self.name,
                        attempts,
                        extra={"event_id": self.event_id_of(item)},
                    )
                    return [
                        self.letter(item, "handler_error", f"{type(exc).__name__}: {exc}", attempt)
                    ]
                CONSUMER_RETRIES.labels(self._service, self.record_of(item).topic).inc()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._settings.backoff_max_seconds)
        return []  # pragma: no cover - the loop always returns


_Event = tuple[ConsumerRecord[bytes, bytes], Envelope]


class IdempotentConsumer(RetryingBatches[_Event]):
    """Applies events exactly once in effect, on top of at-least-once delivery."""

    def __init__(
        self,
        *,
        name: str,
        service: str,
        sessions: Sessions,
        handler: BatchHandler,
        dead_letters: DeadLetterPublisher,
        settings: ConsumerSettings,
        stop: asyncio.Event | None = None,
        event_types: Collection[str] | None = None,
    ) -> None:
        """`event_types`: the only types `handler` applies (None: every type). The others
        are passed over: not decoded when their `event-type` header names them, never
        recorded as processed, never handed to the handler."""
        super().__init__(
            name=name, service=service, dead_letters=dead_letters, settings=settings, stop=stop
        )
        self._sessions = sessions
        self._handler = handler
        self._event_types = None if event_types is None else frozenset(event_types)

    def prepare(
        self, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> tuple[list[_Event], list[DeadLetter]]:
        """Decoded events of the types applied; invalid or mis-keyed records, and events
        from a producer that does not own their topic, are refused at once."""
        letters: list[DeadLetter] = []
        decoded: list[_Event] = []
        passed: Counter[str] = Counter()
        for record in records:
            if not self._applies(_event_type_header(record)):
                passed[record.topic] += 1
                continue
            try:
                envelope = decode(record.value)
            except InvalidEvent as exc:
                letters.append(DeadLetter(record, "invalid_event", str(exc), attempts=1))
                continue
            if fault := provenance_fault(record, envelope):
                letters.append(DeadLetter(record, *fault, attempts=1))
                continue
            if not self._applies(envelope.event_type):
                passed[record.topic] += 1
                continue
            decoded.append((record, envelope))
        for topic, count in passed.items():
            PASSED_OVER.labels(self._service, topic).inc(count)
        return decoded, letters

    def _applies(self, event_type: str | None) -> bool:
        """Whether an event of this type (None: not known yet) is for the handler."""
        return self._event_types is None or event_type is None or event_type in self._event_types

    def record_of(self, item: _Event) -> ConsumerRecord[bytes, bytes]:
        return item[0]

    def event_id_of(self, item: _Event) -> str | None:
        return str(item[1].event_id)

    async def apply(self, items: list[_Event]) -> list[DeadLetter]:
        """Record the event ids and apply those not seen before, in one transaction."""
        unique: dict[UUID, _Event] = {}
        for record, envelope in items:
            unique.setdefault(envelope.event_id, (record, envelope))
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                _RECORD_SEEN, {"consumer": self.name, "event_ids": list(unique)}
            )
            fresh_ids = set(result.scalars())
            fresh = [pair for event_id, pair in unique.items() if event_id in fresh_ids]
            if fresh:
                await self._handler(session, [envelope for _, envelope in fresh])
        applied = Counter(record.topic for record, _ in fresh)
        for topic, seen in Counter(record.topic for record, _ in items).items():
            CONSUMED.labels(self._service, topic).inc(applied[topic])
            if seen > applied[topic]:
                DUPLICATES_SKIPPED.labels(self._service, topic).inc(seen - applied[topic])
        return []


def _event_type_header(record: ConsumerRecord[bytes, bytes]) -> str | None:
    """The event type the record's `event-type` header names (the outbox relay sets it)."""
    for name, value in record.headers or ():
        if name == EVENT_TYPE_HEADER:
            return bytes(value).decode(errors="replace")
    return None


def batch_subscriber(
    broker: KafkaBroker,
    *topics: str,
    group_id: str,
    settings: ConsumerSettings,
    title: str,
    **options: Any,
) -> BatchSubscriber:
    """A FastStream batch subscriber for at-least-once consumption: offsets are committed
    only when the handler says so (`AckPolicy.MANUAL`, after its transaction), a new group
    starts from the earliest offset, and bodies are left raw for the handler to decode.
    It polls without pausing in between (`PromptBatchSubscriber`)."""
    subscriber: BatchSubscriber = broker.subscriber(
        *topics,
        group_id=group_id,
        batch=True,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        max_records=settings.max_records,
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        batch_timeout_ms=settings.batch_timeout_ms,
        consumer_timeout_ms=settings.consumer_timeout_ms,
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        decoder=raw_bodies,
        title=title,
        **options,
    )
    subscriber.__class__ = PromptBatchSubscriber
    return subscriber


class PromptBatchSubscriber(BatchSubscriber):
    """FastStream's batch subscriber, but for what it does after a poll that found nothing.

    FastStream's sleeps `batch_timeout_ms` after such a poll, so a record arriving then
    waits for the sleep to end, and only a short timeout keeps that wait short, at the
    cost of waking an idle consumer ten times a second. Here the poll itself waits up to
    `batch_timeout_ms` and returns as soon as a record arrives; only a poll that returns
    empty-handed early (no partitions assigned yet) sleeps the rest, so nothing spins.
    """

    __slots__ = ()

    async def get_msg(self, consumer: AIOKafkaConsumer) -> tuple[ConsumerRecord[Any, Any], ...]:
        started = time.monotonic()
        batches = await consumer.getmany(
            timeout_ms=self.batch_timeout_ms, max_records=self.max_records
        )
        if batches:
            return tuple(chain.from_iterable(batches.values()))
        left = self.batch_timeout_ms / 1000 - (time.monotonic() - started)
        if left > 0:
            await asyncio.sleep(left)
        return ()


async def raw_bodies(message: Any) -> Any:
    """Skip FastStream's body decoding: the consumer decodes and validates itself."""
    return None
