"""Kafka clients with the project's defaults: idempotent producer and the broker's sign-in
for faststream, both from `KafkaSettings`. Topics are created one way:
`motcua.messaging.provisioning.ensure_topics` (`motcua-topics create`, the stack, tests)."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from faststream.security import BaseSecurity, SASLScram256, SASLScram512

from motcua.settings import KafkaSettings

__all__ = ["broker_security", "idempotent_producer"]


def broker_security(settings: KafkaSettings) -> BaseSecurity | None:
    """The sign-in of a faststream `KafkaBroker` (None on a PLAINTEXT listener)."""
    if settings.security_protocol == "PLAINTEXT":
        return None
    scram = SASLScram512 if settings.sasl_mechanism == "SCRAM-SHA-512" else SASLScram256
    options = settings.client_options()
    return scram(
        options["sasl_plain_username"],
        options["sasl_plain_password"],
        ssl_context=options.get("ssl_context"),
        use_ssl=settings.security_protocol == "SASL_SSL",
    )


def idempotent_producer(settings: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    """A producer that never duplicates or reorders on retry (`acks=all`, idempotence on)."""
    return AIOKafkaProducer(
        **settings.client_options(),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=settings.linger_ms,
        max_batch_size=256 * 1024,
        request_timeout_ms=settings.request_timeout_ms,
    )
