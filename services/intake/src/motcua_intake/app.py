"""The one place where the intake service is wired: settings → runtime → routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from motcua.events import (
    ApologyFiled,
    DossierReceived,
    DossierRefused,
    DossierTransferred,
    DossierWithdrawn,
    FinancialObligationPaid,
    FinancialObligationSet,
    ProcedureUpdated,
    ProcessingFinished,
    ResultReturned,
    SatisfactionRated,
    SupplementReceived,
    SupplementRequested,
)
from motcua.logs import configure_logging
from motcua.runtime import ServiceRuntime, health_router
from motcua_intake.settings import IntakeSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    """Build the intake app; nothing connects until its lifespan starts."""
    settings = settings or IntakeSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, MIGRATIONS)
    runtime.publishes(
        DossierReceived,
        DossierRefused,
        DossierTransferred,
        SupplementRequested,
        SupplementReceived,
        FinancialObligationSet,
        FinancialObligationPaid,
        ProcessingFinished,
        ResultReturned,
        DossierWithdrawn,
        SatisfactionRated,
        ApologyFiled,
        ProcedureUpdated,
    )
    app = FastAPI(
        title="motcua intake",
        description=(
            "Entry point for counter software and portals: validates, assigns dossier codes, "
            "stores and publishes dossier events."
        ),
        version="0.1.0",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    app.include_router(health_router(runtime))
    return app
