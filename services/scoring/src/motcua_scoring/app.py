"""The one place where the scoring service is wired: settings → runtime → routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from motcua.events import IndicatorsUpdated
from motcua.logs import configure_logging
from motcua.runtime import ServiceRuntime, health_router
from motcua_scoring.settings import ScoringSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ScoringSettings | None = None) -> FastAPI:
    """Build the scoring app; nothing connects until its lifespan starts."""
    settings = settings or ScoringSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, MIGRATIONS)
    runtime.publishes(IndicatorsUpdated)
    app = FastAPI(
        title="motcua scoring",
        description=(
            "Live, exact, replayable service-quality indicators (on-time rates, Decision 766 "
            "components) and their feeds."
        ),
        version="0.1.0",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    app.include_router(health_router(runtime))
    return app
