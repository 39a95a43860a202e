"""The Kafka side: intake's and tracking's events, one idempotent consumer, one
batch per database transaction; the event types scoring does not count are passed over
unread."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import keep_revisions
from motcua.events import AgencyUpdated, Envelope, ProcedureUpdated
from motcua.messaging import IdempotentConsumer
from motcua.runtime import ServiceRuntime
from motcua_scoring.adapters.agency_store import keep_procedures
from motcua_scoring.service import Absorber
from motcua_scoring.service.merged_keys import record_agencies
from motcua_scoring.service.translation import COUNTED_TYPES
from motcua_scoring.settings import ScoringSettings

__all__ = ["subscribe"]


def subscribe(runtime: ServiceRuntime, settings: ScoringSettings) -> IdempotentConsumer:
    """Absorb the dossier and tracking topics named in the settings; keep the agencies'
    and procedures' names."""

    async def on_agencies(session: AsyncSession, envelopes: list[Envelope]) -> None:
        """Names of agencies and units, and merges (read by the indicators API); a
        changed merge marks the keys of the agencies whose roll-up it changes."""
        states = [e.data for e in envelopes if isinstance(e.data, AgencyUpdated)]
        await record_agencies(await session.connection(), states, runtime.clock.now(), settings)

    runtime.consume(f"{settings.consumer_name}.agencies", [settings.topics.agencies], on_agencies)
    runtime.consume(
        f"{settings.consumer_name}.procedures", [settings.topics.procedures], on_procedures
    )
    topics = [settings.topics.dossier_events, settings.topics.tracking_events]
    absorber = Absorber(settings, runtime.clock)
    return runtime.consume(settings.consumer_name, topics, absorber, event_types=COUNTED_TYPES)


async def on_procedures(session: AsyncSession, envelopes: list[Envelope]) -> None:
    """Every revision of each procedure (receptions name theirs: scoring counts by its
    field), and the newest names (read by the indicators API, the dashboard and reports)."""
    conn = await session.connection()
    states = [e.data for e in envelopes if isinstance(e.data, ProcedureUpdated)]
    await keep_revisions(conn, envelopes)
    await keep_procedures(conn, states)
