"""Use cases of the portal service: ingesting events, the sync, operators' tasks."""

from motcua_portal.service.admin import Operations, UnknownDossier, UnknownProcedure
from motcua_portal.service.deadletters import SyncDeadLetters
from motcua_portal.service.gauges import gauge_step, refresh_gauges
from motcua_portal.service.ingest import KEPT_EVENTS, Ingest
from motcua_portal.service.sync import SyncWorker

__all__ = [
    "KEPT_EVENTS",
    "Ingest",
    "Operations",
    "SyncDeadLetters",
    "SyncWorker",
    "UnknownDossier",
    "UnknownProcedure",
    "gauge_step",
    "refresh_gauges",
]
