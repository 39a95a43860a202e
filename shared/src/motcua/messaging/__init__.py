"""Reliable messaging: transactional outbox, idempotent consumer, dead letters, redrive."""

from motcua.messaging.consumer import (
    BatchHandler,
    IdempotentConsumer,
    NotYetApplicable,
    PermanentError,
)
from motcua.messaging.deadletters import DeadLetter, DeadLetterPublisher
from motcua.messaging.outbox import OutboxRelay, stage

__all__ = [
    "BatchHandler",
    "DeadLetter",
    "DeadLetterPublisher",
    "IdempotentConsumer",
    "NotYetApplicable",
    "OutboxRelay",
    "PermanentError",
    "stage",
]
