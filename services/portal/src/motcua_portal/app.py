"""The one place where the portal service is wired: settings → runtime → portal → routes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from motcua.clock import Clock
from motcua.http import install_http_edge
from motcua.logs import configure_logging
from motcua.runtime import ServiceRuntime, health_router
from motcua.shutdown import RequestDeadline
from motcua_portal.adapters.dvcqg import make_portal
from motcua_portal.entrypoints import router, subscribe
from motcua_portal.service import Ingest, Operations, SyncWorker, gauge_step
from motcua_portal.settings import PortalSettings

__all__ = ["MIGRATIONS", "create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: PortalSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the portal app; nothing connects until its lifespan starts.

    `clock` replaces the clock of the settings (tests).
    """
    settings = settings or PortalSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, MIGRATIONS)
    if clock is not None:
        runtime.clock = clock
    portal = make_portal(settings.dvcqg)
    worker = SyncWorker(runtime.sessions, portal, settings, runtime.clock)
    subscribe(runtime, settings, Ingest(runtime.clock, worker.wake))
    if settings.sync.enabled:
        for n in range(settings.sync.passes):
            runtime.loop(f"sync-{n}", worker.step, wake=worker.wake_event())
    runtime.loop("sync-gauges", gauge_step(runtime.sessions, settings.sync.gauge_seconds))

    async def close_portal(stop: asyncio.Event) -> None:
        await stop.wait()
        await portal.close()

    runtime.background(close_portal)
    app = FastAPI(
        title="motcua portal",
        description=(
            "Keeps the National Public Service Portal (DVCQG) up to date: every dossier and "
            "its whole progress history, supplements, re-appointments, fees, refusal, finish "
            "and return, through a durable per-dossier sync queue."
        ),
        version="0.1.0",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.worker = worker
    app.state.portal = portal
    app.state.operations = Operations(runtime.sessions, portal, runtime.clock, worker.wake)
    install_http_edge(app)
    app.add_middleware(RequestDeadline, shutdown=runtime.shutdown)
    app.include_router(health_router(runtime))
    app.include_router(router)
    return app
