"""Dead letters: a message that cannot be applied goes to the service's DLQ topic with why.

A message is dead-lettered once: the local record is keyed by (consumer, topic,
partition, offset), so a message read again (offsets rewound, a restart before the
commit) that fails again, with or without an event id, is recognised and skipped.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert

from motcua.db import Sessions
from motcua.events.topics import dead_letter_topic
from motcua.loops import needs_rebuild
from motcua.messaging.schema import DEAD_LETTERS
from motcua.metrics import DEAD_LETTERED

__all__ = ["HEADER_PREFIX", "DeadLetter", "DeadLetterPublisher", "dead_letter_headers"]

HEADER_PREFIX = "x-dlq-"
log = logging.getLogger(__name__)
_LETTERS = DEAD_LETTERS


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Why a consumed record is given up on."""

    record: ConsumerRecord[bytes, bytes]
    reason: str
    error: str
    attempts: int
    event_id: str | None = None


def dead_letter_headers(letter: DeadLetter, consumer: str) -> list[tuple[str, bytes]]:
    """Kafka headers carrying the reason and where the original came from."""
    fields = {
        "reason": letter.reason,
        "error": letter.error[:2000],
        "attempts": str(letter.attempts),
        "consumer": consumer,
        "original-topic": letter.record.topic,
        "original-partition": str(letter.record.partition),
        "original-offset": str(letter.record.offset),
        "failed-at": datetime.now(UTC).isoformat(),
    }
    original = [(k, v) for k, v in (letter.record.headers or ()) if not k.startswith(HEADER_PREFIX)]
    return original + [(HEADER_PREFIX + k, v.encode()) for k, v in fields.items()]


class DeadLetterPublisher:
    """Publishes dead letters durably (awaited, `acks=all`) and keeps a local record."""

    def __init__(
        self,
        producer: AIOKafkaProducer | None,
        sessions: Sessions,
        service: str,
        on_broken: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._producer = producer
        self._on_broken = on_broken
        self._sessions = sessions
        self._service = service
        self._topic = dead_letter_topic(service).name

    def bind(self, producer: AIOKafkaProducer) -> None:
        """Use this (started) producer; services bind theirs when they start."""
        self._producer = producer

    async def publish(self, letters: list[DeadLetter], consumer: str) -> None:
        """Send every letter not sent before and wait until Kafka has them all."""
        letters = await self.unsent(letters, consumer)
        await self.send(letters, consumer)
        await self.record(letters, consumer)

    async def unsent(self, letters: list[DeadLetter], consumer: str) -> list[DeadLetter]:
        """The letters whose message was not dead-lettered before (it may be read again)."""
        return await self._not_yet_sent(letters, consumer)

    async def send(self, letters: list[DeadLetter], consumer: str) -> None:
        """Send the letters to the dead-letter topic and wait until Kafka has them all."""
        if not letters:
            return
        if self._producer is None:
            raise RuntimeError("dead-letter publisher used before a producer was bound")
        try:
            await self._send(self._producer, letters, consumer)
        except Exception as error:
            if needs_rebuild(error) and self._on_broken is not None:
                with contextlib.suppress(Exception):
                    await self._on_broken()
            raise

    async def record(self, letters: list[DeadLetter], consumer: str) -> None:
        """Keep the local record of sent letters, so they are not sent twice."""
        if not letters:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(
                insert(_LETTERS)
                .values(
                    [
                        {
                            "consumer": consumer,
                            "topic": letter.record.topic,
                            "partition": letter.record.partition,
                            "offset": letter.record.offset,
                            "event_id": letter.event_id,
                            "reason": letter.reason,
                            "error": letter.error[:2000],
                            "attempts": letter.attempts,
                            "detail": {},
                        }
                        for letter in letters
                    ]
                )
                .on_conflict_do_nothing()
            )
        for letter in letters:
            DEAD_LETTERED.labels(self._service, letter.reason).inc()

    async def _not_yet_sent(self, letters: list[DeadLetter], consumer: str) -> list[DeadLetter]:
        if not letters:
            return letters
        wanted = {(lt.record.topic, lt.record.partition, lt.record.offset) for lt in letters}
        where = tuple_(_LETTERS.c.topic, _LETTERS.c.partition, _LETTERS.c.offset)
        async with self._sessions() as session:
            found = await session.execute(
                select(_LETTERS.c.topic, _LETTERS.c.partition, _LETTERS.c.offset).where(
                    _LETTERS.c.consumer == consumer, where.in_(list(wanted))
                )
            )
            sent = {tuple(row) for row in found}
        if sent:
            log.info(
                "%d messages read again were dead-lettered before; not sent twice",
                len(sent),
                extra={"consumer": consumer},
            )
        return [
            lt
            for lt in letters
            if (lt.record.topic, lt.record.partition, lt.record.offset) not in sent
        ]

    async def _send(
        self, producer: AIOKafkaProducer, letters: list[DeadLetter], consumer: str
    ) -> None:
        sent = [
            await producer.send(
                self._topic,
                letter.record.value,
                key=letter.record.key,
                headers=dead_letter_headers(letter, consumer),
            )
            for letter in letters
        ]
        for future in sent:
            await future
