"""The Kafka side: intake's and tracking's events, one idempotent consumer, one
batch per database transaction."""

from __future__ import annotations

from motcua.messaging import IdempotentConsumer
from motcua.runtime import ServiceRuntime
from motcua_scoring.service import Absorber
from motcua_scoring.settings import ScoringSettings

__all__ = ["subscribe"]


def subscribe(runtime: ServiceRuntime, settings: ScoringSettings) -> IdempotentConsumer:
    """Absorb the dossier and tracking topics named in the settings."""
    topics = [settings.topics.dossier_events, settings.topics.tracking_events]
    return runtime.consume(settings.consumer_name, topics, Absorber(settings, runtime.clock))
