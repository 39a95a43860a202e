"""Kafka subscribers: intake's dossier events, the applicants, the procedure catalogue and
the agencies."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.events import Envelope
from motcua.messaging import BatchHandler
from motcua_tracking.service import DossierTracker

__all__ = [
    "agencies_handler",
    "applicants_handler",
    "catalogue_handler",
    "dossier_events_handler",
]


def dossier_events_handler(tracker: DossierTracker) -> BatchHandler:
    """The batch handler of `intake.dossier-events.v1`."""

    async def on_dossier_events(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await tracker.apply(session, envelopes)

    return on_dossier_events


def applicants_handler(tracker: DossierTracker) -> BatchHandler:
    """The batch handler of `intake.applicants.v1`: the look-up's phone digests."""

    async def on_applicants(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await tracker.apply_applicants(session, envelopes)

    return on_applicants


def catalogue_handler(tracker: DossierTracker) -> BatchHandler:
    """The batch handler of `intake.procedures.v1`."""

    async def on_procedure_updated(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await tracker.apply_catalogue(session, envelopes)

    return on_procedure_updated


def agencies_handler(tracker: DossierTracker) -> BatchHandler:
    """The batch handler of `intake.agencies.v1`: names, office hours and cut-offs, which
    deadlines computed from then on use instead of the configured ones, and merges
    (whose open deadlines it moves if the merge arrives after events it concerns)."""

    async def on_agency_updated(session: AsyncSession, envelopes: list[Envelope]) -> None:
        await tracker.apply_agencies(session, envelopes)

    return on_agency_updated
