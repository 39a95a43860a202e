"""The one place where the notify service is wired: settings → runtime → routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from motcua.events import NotificationDelivered, NotificationFailed
from motcua.logs import configure_logging
from motcua.runtime import ServiceRuntime, health_router
from motcua_notify.settings import NotifySettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    """Build the notify app; nothing connects until its lifespan starts."""
    settings = settings or NotifySettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, MIGRATIONS)
    runtime.publishes(NotificationDelivered, NotificationFailed)
    app = FastAPI(
        title="motcua notify",
        description=(
            "Tells citizens and officials by email, SMS, Zalo and webhooks, with a delivery "
            "log, retries and no duplicates."
        ),
        version="0.1.0",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    app.include_router(health_router(runtime))
    return app
