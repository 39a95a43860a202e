"""Kafka subscribers: intake's dossier events and applicants, tracking's deadline events, the
agencies."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import AgencyUpdated, Envelope
from motcua.runtime import ServiceRuntime
from motcua_notify.adapters.agency_store import keep_agencies
from motcua_notify.service.events import EventApplier

__all__ = ["AGENCIES_CONSUMER", "CONSUMER", "subscribe", "subscribe_agencies"]

CONSUMER = "notify-events"
AGENCIES_CONSUMER = "notify-agencies"


def subscribe(runtime: ServiceRuntime, applier: EventApplier, *topics: str) -> None:
    """Consume the topics with one idempotent consumer (one transaction per batch)."""

    async def on_dossier_events(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await applier(session, envelopes)

    runtime.consume(CONSUMER, list(topics), on_dossier_events)


def subscribe_agencies(runtime: ServiceRuntime, topic: str) -> None:
    """Keep the agencies' and units' names intake publishes (`intake.agencies.v1`)."""

    async def on_agency_updated(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await keep_agencies(
            session, [e.data for e in envelopes if isinstance(e.data, AgencyUpdated)]
        )

    runtime.consume(AGENCIES_CONSUMER, [topic], on_agency_updated)
