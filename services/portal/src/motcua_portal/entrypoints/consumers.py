"""Kafka subscribers: intake's dossier events and tracking's deadline events (one
idempotent consumer), the applicants' records, and the procedure catalogue."""

from __future__ import annotations

from motcua.runtime import ServiceRuntime
from motcua_portal.service import Ingest
from motcua_portal.service.ingest import KEPT_EVENTS
from motcua_portal.settings import PortalSettings

__all__ = ["subscribe"]


def subscribe(runtime: ServiceRuntime, settings: PortalSettings, ingest: Ingest) -> None:
    """Consume the topics named in the settings; the events the portal is not told of
    (alerts, verdicts, ratings) are passed over unread."""
    topics = settings.topics
    runtime.consume(
        "portal.events",
        [topics.dossier_events, topics.tracking_events],
        ingest.on_dossier_events,
        event_types=KEPT_EVENTS,
    )
    runtime.consume("portal.applicants", [topics.applicants], ingest.on_applicants)
    runtime.consume("portal.procedures", [topics.procedures], ingest.on_procedures)
