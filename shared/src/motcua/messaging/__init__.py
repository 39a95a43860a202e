"""Reliable messaging: transactional outbox, idempotent consumer, dead letters, redrive."""

from motcua.messaging.consumer import (
    BatchHandler,
    IdempotentConsumer,
    NotYetApplicable,
    PermanentError,
    RetryingBatches,
    batch_subscriber,
    is_infrastructure_error,
)
from motcua.messaging.deadletters import DeadLetter, DeadLetterPublisher
from motcua.messaging.held import HeldLetter
from motcua.messaging.outbox import (
    OutboxColumns,
    OutboxRelay,
    outbox_insert_sql,
    outbox_rows,
    stage,
)
from motcua.messaging.schema import create_messaging_tables, drop_messaging_tables
from motcua.messaging.wakeups import notify

__all__ = [
    "BatchHandler",
    "DeadLetter",
    "DeadLetterPublisher",
    "HeldLetter",
    "IdempotentConsumer",
    "NotYetApplicable",
    "OutboxColumns",
    "OutboxRelay",
    "PermanentError",
    "RetryingBatches",
    "batch_subscriber",
    "create_messaging_tables",
    "drop_messaging_tables",
    "is_infrastructure_error",
    "notify",
    "outbox_insert_sql",
    "outbox_rows",
    "stage",
]
