"""The one place where the intake service is wired: settings → runtime → services → routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from motcua.clock import Clock
from motcua.db import migrate
from motcua.events import (
    AgencyUpdated,
    ApologyFiled,
    ApplicantErased,
    ApplicantRecorded,
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
from motcua.shutdown import RequestDeadline
from motcua_intake.domain.agencies import load_seed_agencies
from motcua_intake.entrypoints.answers import import_answer, issued_key_answer, receipt_answer
from motcua_intake.entrypoints.commands import CommandConsumer
from motcua_intake.entrypoints.http import agencies, catalogue, dossiers, imports, privacy
from motcua_intake.entrypoints.http.deps import Services
from motcua_intake.entrypoints.http.middleware import BodyLimit, RequestMetrics
from motcua_intake.entrypoints.http.problems import install_problem_handlers
from motcua_intake.service.access import KeyService
from motcua_intake.service.agencies import DIRECTORY_CHANNEL, AgencyService
from motcua_intake.service.catalogue import CatalogueService
from motcua_intake.service.checks import Checker
from motcua_intake.service.directory import Directory
from motcua_intake.service.dossiers import DossierService
from motcua_intake.service.group_commit import GroupCommit
from motcua_intake.service.imports import ImportService
from motcua_intake.service.ledger import Ledger
from motcua_intake.service.privacy import PrivacyService
from motcua_intake.settings import IntakeSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: IntakeSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the intake app; nothing connects until its lifespan starts."""
    settings = settings or IntakeSettings()
    configure_logging(settings.service_name, settings.log_level)
    # Migrations run before the runtime starts the broker, so that no command is
    # consumed before the catalogue is seeded.
    runtime = ServiceRuntime(settings, migrations=None)
    # The settings' clock (system, or simulated for a demo) unless a test passes its own.
    clock = clock or runtime.clock
    runtime.clock = clock
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
        ApplicantRecorded,
        ApplicantErased,
        ProcedureUpdated,
        AgencyUpdated,
    )
    engine = runtime.engine
    directory = Directory()
    ledger = Ledger(
        engine,
        clock,
        settings.writer.max_retries,
        settings.topics.dossier_events,
        render=receipt_answer,
        office_of=directory.office_of,
        applicants_topic=settings.topics.applicants,
        id_pepper=settings.privacy.id_pepper.get_secret_value().encode(),
    )
    writer = GroupCommit(
        ledger,
        engine,
        settings.writer.max_batch,
        settings.writer.concurrency,
        settings.loops.stall_seconds,
    )
    checker = Checker(directory, timedelta(seconds=settings.clock_skew_seconds))
    dossier_service = DossierService(engine, ledger, writer, checker, clock)
    keys = KeyService(engine, directory, settings.key_cache_seconds, render=issued_key_answer)
    agency_service = AgencyService(
        engine, clock, directory, keys, settings.topics.agencies, settings.topics.catalogue
    )
    services = Services(
        dossiers=dossier_service,
        catalogue=CatalogueService(engine, clock, directory, settings.topics.catalogue),
        keys=keys,
        imports=ImportService(
            engine,
            dossier_service,
            ledger,
            clock,
            chunk_lines=settings.imports.chunk_lines,
            max_line_bytes=settings.imports.max_line_bytes,
            max_listed=settings.imports.max_listed_rejections,
            log_every=settings.imports.progress_log_every,
            progress_every=settings.imports.progress_every,
            render=import_answer,
        ),
        agencies=agency_service,
        privacy=PrivacyService(engine, clock, settings.privacy, settings.topics.applicants),
    )
    runtime.loop(
        "agency-directory",
        agency_service.follow,
        wake=runtime.wakeups.event(DIRECTORY_CHANNEL),
    )
    runtime.loop("applicant-retention", services.privacy.sweep)
    for n, (step, reconnect) in enumerate(writer.writers()):
        runtime.loop(f"group-commit-{n}", step, rebuild=reconnect)
    runtime.background(writer.run, "group-commit")
    runtime.probe("group-commit", writer.stalled)
    if settings.commands.enabled:
        CommandConsumer(
            dossier_service,
            runtime.dead_letters,
            settings.consumer,
            service=runtime.name,
            stop=runtime.stop,
        ).subscribe(
            runtime.broker,
            *settings.commands.topics,
            group_id=settings.commands.group_id,
            description="Register dossiers, record events and file apologies (see the HTTP API).",
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await migrate(engine, MIGRATIONS)
        await services.agencies.seed(load_seed_agencies())
        await services.catalogue.seed()
        await services.keys.install(
            [
                (k.key.get_secret_value(), k.agency, k.scopes, k.label)
                for k in settings.bootstrap_keys
            ]
        )
        async with runtime.lifespan(app):
            yield

    app = FastAPI(
        title="motcua intake",
        description=(
            "Entry point for counter software and portals: validates, assigns dossier codes, "
            "stores and publishes dossier events."
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.services = services
    install_problem_handlers(app)
    app.add_middleware(
        BodyLimit,
        default=settings.http.max_body_bytes,
        limits={"/v1/imports": settings.imports.max_body_bytes},
    )
    app.add_middleware(RequestMetrics)
    app.add_middleware(RequestDeadline, shutdown=runtime.shutdown)
    app.include_router(health_router(runtime))
    app.include_router(dossiers.router)
    app.include_router(catalogue.router)
    app.include_router(agencies.router)
    app.include_router(imports.router)
    app.include_router(privacy.router)
    return app
