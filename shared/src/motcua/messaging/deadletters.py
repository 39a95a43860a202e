"""Dead letters: a message that cannot be applied goes to the service's DLQ topic with why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import insert

from motcua.db import Sessions
from motcua.events.topics import dead_letter_topic
from motcua.messaging.schema import DEAD_LETTERS
from motcua.metrics import DEAD_LETTERED

__all__ = ["HEADER_PREFIX", "DeadLetter", "DeadLetterPublisher", "dead_letter_headers"]

HEADER_PREFIX = "x-dlq-"


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

    def __init__(self, producer: AIOKafkaProducer | None, sessions: Sessions, service: str) -> None:
        self._producer = producer
        self._sessions = sessions
        self._service = service
        self._topic = dead_letter_topic(service).name

    def bind(self, producer: AIOKafkaProducer) -> None:
        """Use this (started) producer; services bind theirs when they start."""
        self._producer = producer

    async def publish(self, letters: list[DeadLetter], consumer: str) -> None:
        """Send every letter and wait until Kafka has them all."""
        if not letters:
            return
        if self._producer is None:
            raise RuntimeError("dead-letter publisher used before a producer was bound")
        producer = self._producer
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
        async with self._sessions() as session, session.begin():
            await session.execute(
                insert(DEAD_LETTERS),
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
                ],
            )
        for letter in letters:
            DEAD_LETTERED.labels(self._service, letter.reason).inc()
