"""Kafka subscribers: intake's dossier events and tracking's deadline events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import Envelope
from motcua.runtime import ServiceRuntime
from motcua_notify.service.events import EventApplier

__all__ = ["CONSUMER", "subscribe"]

CONSUMER = "notify-events"


def subscribe(runtime: ServiceRuntime, applier: EventApplier, *topics: str) -> None:
    """Consume the topics with one idempotent consumer (one transaction per batch)."""

    async def on_dossier_events(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await applier(session, envelopes)

    runtime.consume(CONSUMER, list(topics), on_dossier_events)
