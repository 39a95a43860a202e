"""The one place where the scoring service is wired: settings → runtime → routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from motcua.clock import Clock
from motcua.events import IndicatorsUpdated
from motcua.http import install_http_edge
from motcua.logs import configure_logging
from motcua.runtime import ServiceRuntime, health_router
from motcua.shutdown import RequestDeadline
from motcua.verdicts import Granularity
from motcua_scoring.adapters.dirty_keys import KEYS_OWED
from motcua_scoring.entrypoints import (
    api_router,
    dashboard_router,
    reports_router,
    static_files,
    stream_router,
    subscribe,
)
from motcua_scoring.service import (
    ChangeHub,
    FeedPublisher,
    Reader,
    day_turn_step,
    prune_step,
)
from motcua_scoring.service.gauges import gauge_step
from motcua_scoring.settings import ScoringSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ScoringSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the scoring app; nothing connects until its lifespan starts.

    `clock` replaces the clock of the settings (tests move a ManualClock by hand).
    """
    settings = settings or ScoringSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, MIGRATIONS)
    if clock is not None:
        runtime.clock = clock
    runtime.publishes(IndicatorsUpdated)
    subscribe(runtime, settings)
    hub = ChangeHub(runtime.engine, settings.stream)
    if settings.feed.enabled:
        owed = runtime.wakeups.event(KEYS_OWED)
        publisher = FeedPublisher(runtime.engine, runtime.clock, settings, hub.filters, owed)
        runtime.background(publisher.run)
        runtime.watch(publisher.loop)
        runtime.loop("day-turn", day_turn_step(runtime.engine, runtime.clock, settings))
    runtime.background(hub.run)
    runtime.loop("change-log-prune", prune_step(runtime.engine, runtime.clock, settings.stream))
    runtime.loop("business-gauges", gauge_step(runtime.engine, runtime.clock, settings))
    app = FastAPI(
        title="motcua scoring",
        description=(
            "Live, exact, replayable service-quality indicators (on-time rates, Decision 766 "
            "components) and their feeds: a compacted Kafka topic, a JSON API, Server-Sent "
            "Events and a live dashboard."
        ),
        version="0.1.0",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.hub = hub
    app.state.reader = Reader(
        runtime.engine,
        runtime.clock,
        settings.feed.earliest_year,
        Granularity(settings.deadlines.verdict_granularity),
    )
    install_http_edge(app)
    app.add_middleware(RequestDeadline, shutdown=runtime.shutdown)
    app.include_router(health_router(runtime))
    app.include_router(api_router())
    app.include_router(reports_router())
    app.include_router(stream_router())
    app.include_router(dashboard_router())
    app.mount("/static", static_files(), name="static")
    return app
