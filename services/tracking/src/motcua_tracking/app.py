"""The one place where the tracking service is wired: settings → runtime → routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from motcua.events import (
    ApologyIssued,
    ApologyRequired,
    DeadlineChanged,
    DeadlineSet,
    DossierDueSoon,
    DossierEscalated,
    DossierOverdue,
    DossierVerdictGiven,
    EventRejected,
    StepVerdictGiven,
)
from motcua.logs import configure_logging
from motcua.runtime import ServiceRuntime, health_router
from motcua_tracking.settings import TrackingSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TrackingSettings | None = None) -> FastAPI:
    """Build the tracking app; nothing connects until its lifespan starts."""
    settings = settings or TrackingSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, MIGRATIONS)
    runtime.publishes(
        DeadlineSet,
        DeadlineChanged,
        StepVerdictGiven,
        DossierVerdictGiven,
        DossierDueSoon,
        DossierOverdue,
        ApologyRequired,
        ApologyIssued,
        DossierEscalated,
        EventRejected,
    )
    app = FastAPI(
        title="motcua tracking",
        description=(
            "Deadlines on the Vietnamese working calendar, lateness verdicts, durable alerts, "
            "the apology workflow and dossier look-ups."
        ),
        version="0.1.0",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    app.include_router(health_router(runtime))
    return app
