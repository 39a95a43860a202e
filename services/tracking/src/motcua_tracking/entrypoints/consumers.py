"""Kafka subscribers: intake's dossier events and the procedure catalogue."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import Envelope
from motcua.messaging import BatchHandler
from motcua_tracking.service import DossierTracker

__all__ = ["catalogue_handler", "dossier_events_handler"]


def dossier_events_handler(tracker: DossierTracker) -> BatchHandler:
    """The batch handler of `intake.dossier-events.v1`."""

    async def on_dossier_events(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await tracker.apply(session, envelopes)

    return on_dossier_events


def catalogue_handler(tracker: DossierTracker) -> BatchHandler:
    """The batch handler of `intake.procedures.v1`."""

    async def on_procedure_updated(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await tracker.apply_catalogue(session, envelopes)

    return on_procedure_updated
