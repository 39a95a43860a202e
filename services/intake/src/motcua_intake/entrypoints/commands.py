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
from collections.abc import Sequence

import orjson
from aiokafka.structs import ConsumerRecord

from motcua.messaging import DeadLetter, DeadLetterPublisher, RetryingBatches
from motcua.settings import ConsumerSettings
from motcua_intake.service.dossiers import DossierService
from motcua_intake.service.errors import Rejection

__all__ = ["CommandConsumer"]

CONSUMER = "intake-commands"


class CommandConsumer(RetryingBatches[ConsumerRecord[bytes, bytes]]):
    """Reads command batches, applies them, dead-letters the refused, then commits (the
    common batch loop: a failing batch is applied command by command with retries)."""

    def __init__(
        self,
        dossiers: DossierService,
        dead_letters: DeadLetterPublisher,
        settings: ConsumerSettings,
        *,
        service: str,
        stop: asyncio.Event | None = None,
    ) -> None:
        super().__init__(
            name=CONSUMER,
            service=service,
            dead_letters=dead_letters,
            settings=settings,
            stop=stop,
        )
        self._dossiers = dossiers

    def prepare(
        self, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> tuple[list[ConsumerRecord[bytes, bytes]], list[DeadLetter]]:
        """Commands keyed by the dossier they name; the others are refused at once."""
        keyed: list[ConsumerRecord[bytes, bytes]] = []
        letters: list[DeadLetter] = []
        for record in records:
            if (fault := key_mismatch(record)) is not None:
                letters.append(self._refused(record, fault))
            else:
                keyed.append(record)
        return keyed, letters

    def record_of(self, item: ConsumerRecord[bytes, bytes]) -> ConsumerRecord[bytes, bytes]:
        return item

    async def apply(self, items: list[ConsumerRecord[bytes, bytes]]) -> list[DeadLetter]:
        """Execute the commands in one transaction; the refused become dead letters."""
        outcomes = await self._dossiers.execute([record.value or b"" for record in items])
        return [
            self._refused(record, outcome)
            for record, outcome in zip(items, outcomes, strict=True)
            if isinstance(outcome, Rejection)
        ]

    def _refused(self, record: ConsumerRecord[bytes, bytes], rejection: Rejection) -> DeadLetter:
        return self.letter(record, rejection.code, _reason(rejection), attempts=1)


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


def _reason(rejection: Rejection) -> str:
    """Field details may quote personal data; the dead letter keeps pointers and codes only."""
    if rejection.errors:
        return "; ".join(f"{e.pointer}: {e.code}" for e in rejection.errors)
    return rejection.detail
