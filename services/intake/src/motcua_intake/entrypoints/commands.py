"""Commands integrators publish on Kafka (`intake.commands.v1`), applied like HTTP requests.

A message is a JSON object `{"command": "register_dossier" | "record_event" | "file_apology",
"agency_code": …, "idempotency_key": …, "dossier_code": … (events and apologies), "body": …}`
whose body is the matching HTTP body. A command naming a dossier (`dossier_code`, or the
registration body's own `dossier_code`) is keyed by that code, so one dossier's commands
stay in order on one partition; a command keyed otherwise is refused (`key_mismatch`).
Delivery is at least once: offsets are committed after the batch's transaction; a
redelivered command is recognised by its idempotency key. A refused command goes to the
dead-letter topic `intake.dlq.v1` with its reason.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker, KafkaMessage

from motcua.loops import Backoff, sleep
from motcua.messaging.consumer import batch_subscriber, is_infrastructure_error
from motcua.messaging.deadletters import DeadLetter, DeadLetterPublisher
from motcua.settings import ConsumerSettings
from motcua_intake.service.dossiers import DossierService
from motcua_intake.service.errors import Rejection

__all__ = ["CommandConsumer"]

log = logging.getLogger(__name__)
CONSUMER = "intake-commands"


class CommandConsumer:
    """Reads command batches, applies them, dead-letters the refused, then commits."""

    def __init__(
        self,
        dossiers: DossierService,
        dead_letters: DeadLetterPublisher,
        settings: ConsumerSettings,
        stop: asyncio.Event | None = None,
    ) -> None:
        self._dossiers = dossiers
        self._dead_letters = dead_letters
        self._settings = settings
        self._stop = stop or asyncio.Event()
        self._backoff = Backoff(settings.backoff_initial_seconds, settings.backoff_max_seconds)
        self._failures = 0

    def subscribe(self, broker: KafkaBroker, topics: list[str], group_id: str) -> None:
        """Register the batch subscriber (manual commits) on `broker`."""
        subscriber = batch_subscriber(
            broker,
            *topics,
            group_id=group_id,
            settings=self._settings,
            title=f"{CONSUMER}:{'+'.join(topics)}",
            description="Register dossiers, record events and file apologies (see the HTTP API).",
        )

        @subscriber
        async def on_commands(message: KafkaMessage) -> None:
            await self.on_batch(message)

    async def on_batch(self, message: KafkaMessage) -> None:
        """Apply a batch; on an unavailable database, read it again after a pause (backoff
        with jitter, growing with each failure in a row, cut short when the service stops)."""
        raw = message.raw_message
        records: list[Any] = list(raw) if isinstance(raw, tuple) else [raw]
        try:
            await self.process(records)
        except Exception as error:
            if not is_infrastructure_error(error):
                raise
            self._failures += 1
            pause = self._backoff.delay(self._failures)
            log.exception(
                "database or broker unavailable; commands will be read again in %.2f s", pause
            )
            await sleep(self._stop, pause)
            await message.nack()
            return
        self._failures = 0
        await message.ack()

    async def process(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        """Apply every record or dead-letter it; returns when all are settled."""
        faults = [key_mismatch(record) for record in records]
        keyed = [record for record, fault in zip(records, faults, strict=True) if fault is None]
        applied = iter(await self._apply(keyed) if keyed else [])
        outcomes = [fault if fault is not None else next(applied) for fault in faults]
        letters = [
            DeadLetter(record, outcome.code, _reason(outcome), attempts=1)
            for record, outcome in zip(records, outcomes, strict=True)
            if outcome is not None
        ]
        await self._dead_letters.publish(letters, CONSUMER)

    async def _apply(self, records: list[ConsumerRecord[bytes, bytes]]) -> list[Rejection | None]:
        try:
            return _rejections(await self._dossiers.execute([r.value or b"" for r in records]))
        except Exception as error:
            if is_infrastructure_error(error):
                raise
            log.warning("command batch failed; applying its commands one by one", exc_info=True)
        return [await self._apply_one(record) for record in records]

    async def _apply_one(self, record: ConsumerRecord[bytes, bytes]) -> Rejection | None:
        delay = self._settings.backoff_initial_seconds
        for attempt in range(1, self._settings.max_attempts + 1):
            try:
                return _rejections(await self._dossiers.execute([record.value or b""]))[0]
            except Exception as error:
                if is_infrastructure_error(error):
                    raise
                if attempt == self._settings.max_attempts:
                    return Rejection("invalid", "handler_error", f"{type(error).__name__}: {error}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._settings.backoff_max_seconds)
        return None  # pragma: no cover - the loop always returns


def key_mismatch(record: ConsumerRecord[bytes, bytes]) -> Rejection | None:
    """A refusal when the command names a dossier but the record is keyed otherwise (an
    unreadable command is left to the command's own validation)."""
    try:
        command = orjson.loads(record.value or b"")
    except orjson.JSONDecodeError:
        return None
    if not isinstance(command, dict):
        return None
    body = command.get("body")
    code = command.get("dossier_code") or (
        body.get("dossier_code") if isinstance(body, dict) else None
    )
    if not isinstance(code, str):
        return None
    key = record.key.decode(errors="replace") if record.key is not None else None
    if key == code:
        return None
    return Rejection(
        "invalid", "key_mismatch", f"the record key {key!r} is not the dossier code {code!r}"
    )


def _rejections(outcomes: list[Any]) -> list[Rejection | None]:
    return [o if isinstance(o, Rejection) else None for o in outcomes]


def _reason(rejection: Rejection) -> str:
    """Field details may quote personal data; the dead letter keeps pointers and codes only."""
    if rejection.errors:
        return "; ".join(f"{e.pointer}: {e.code}" for e in rejection.errors)
    return rejection.detail
