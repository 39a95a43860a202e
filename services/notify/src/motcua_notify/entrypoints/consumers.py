"""Kafka subscribers: intake's dossier events and applicants, tracking's deadline events, the
agencies and the procedure catalogue."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import keep_revisions
from motcua.events import AgencyUpdated, Envelope
from motcua.runtime import ServiceRuntime
from motcua_notify.adapters.agency_store import keep_agencies
from motcua_notify.service.events import EventApplier
from motcua_notify.service.reactions import HANDLED_TYPES

__all__ = [
    "AGENCIES_CONSUMER",
    "CATALOGUE_CONSUMER",
    "CONSUMER",
    "subscribe",
    "subscribe_agencies",
    "subscribe_catalogue",
]

CONSUMER = "notify-events"
AGENCIES_CONSUMER = "notify-agencies"
CATALOGUE_CONSUMER = "notify-procedures"


def subscribe(runtime: ServiceRuntime, applier: EventApplier, *topics: str) -> None:
    """Consume the topics with one idempotent consumer (one transaction per batch); events
    no reaction answers (step verdicts, payments, ratings) are passed over unread."""

    async def on_dossier_events(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await applier(session, envelopes)

    runtime.consume(CONSUMER, list(topics), on_dossier_events, event_types=HANDLED_TYPES)


def subscribe_agencies(runtime: ServiceRuntime, topic: str) -> None:
    """Keep the agencies' and units' names intake publishes (`intake.agencies.v1`)."""

    async def on_agency_updated(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await keep_agencies(
            session, [e.data for e in envelopes if isinstance(e.data, AgencyUpdated)]
        )

    runtime.consume(AGENCIES_CONSUMER, [topic], on_agency_updated)


def subscribe_catalogue(runtime: ServiceRuntime, topic: str) -> None:
    """Keep every procedure revision intake publishes (`intake.procedures.v1`): a reception
    names the one its receipt follows."""

    async def on_procedure_updated(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await keep_revisions(session, envelopes)

    runtime.consume(CATALOGUE_CONSUMER, [topic], on_procedure_updated)
