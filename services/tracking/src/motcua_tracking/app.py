"""The one place where the tracking service is wired: settings → runtime → routes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from motcua.clock import Clock
from motcua.events import (
    AlertWithdrawn,
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
from motcua.http import install_http_edge
from motcua.logs import configure_logging
from motcua.runtime import ServiceRuntime, health_router
from motcua.shutdown import RequestDeadline
from motcua.verdicts import Granularity
from motcua_tracking.adapters.progress import GroupProgress
from motcua_tracking.adapters.timers import TIMERS_CHANGED
from motcua_tracking.entrypoints.consumers import (
    agencies_handler,
    applicants_handler,
    catalogue_handler,
    dossier_events_handler,
)
from motcua_tracking.entrypoints.http import router
from motcua_tracking.service import (
    CalendarBook,
    DecisionLoader,
    DossierTracker,
    Lookups,
    TimerLoop,
    TrackingContext,
)
from motcua_tracking.settings import TrackingSettings

__all__ = ["create_app"]

BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TrackingSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the tracking app; nothing connects until its lifespan starts.

    `clock` replaces the clock of the settings (tests move a ManualClock by hand).
    """
    settings = settings or TrackingSettings()
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(settings, MIGRATIONS)
    if clock is not None:
        runtime.clock = clock
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
        AlertWithdrawn,
        EventRejected,
    )
    calendars = CalendarBook.from_settings(settings.calendar)
    context = TrackingContext(runtime.clock, calendars)
    tracker = DossierTracker(settings, context)
    runtime.consume(
        "tracking.dossier-events", [settings.topics.dossier_events], dossier_events_handler(tracker)
    )
    runtime.consume(
        "tracking.applicants", [settings.topics.applicants], applicants_handler(tracker)
    )
    runtime.consume("tracking.procedures", [settings.topics.procedures], catalogue_handler(tracker))
    runtime.consume("tracking.agencies", [settings.topics.agencies], agencies_handler(tracker))
    progress = GroupProgress(settings.kafka, settings.service_name, settings.topics.dossier_events)
    timers = TimerLoop(
        runtime.sessions,
        tracker,
        settings.timers,
        consumer_lag=progress.lag,
        wake=runtime.wakeups.event(TIMERS_CHANGED),
        context=context,
    )
    if settings.timers.enabled:
        runtime.background(_with(progress, timers.run))
        runtime.background(timers.refresh_gauge)
        runtime.watch(timers.loop, timers.gauge)
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
    app.state.settings = settings
    app.state.tracker = tracker
    app.state.timers = timers
    app.state.lookups = Lookups(
        runtime.sessions,
        context.calendars,
        context.clock,
        Granularity(settings.deadlines.verdict_granularity),
        digest=tracker.digest,
        per_client=settings.api.lookups.limits(settings.api.lookups.free_failures_per_client),
        per_code=settings.api.lookups.limits(settings.api.lookups.free_failures_per_code),
        client_key=settings.api.lookup_pepper.get_secret_value().encode(),
    )
    app.state.decisions = DecisionLoader(runtime.sessions, tracker, context=context)
    install_http_edge(app)
    app.add_middleware(RequestDeadline, shutdown=runtime.shutdown)
    app.include_router(health_router(runtime))
    app.include_router(router)
    return app


def _with(progress: GroupProgress, task: BackgroundTask) -> BackgroundTask:
    """Run `task` with the progress reader connected."""

    async def run(stop: asyncio.Event) -> None:
        await progress.start()
        try:
            await task(stop)
        finally:
            await progress.close()

    return run
