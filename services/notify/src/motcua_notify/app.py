"""The one place where the notify service is wired: settings → runtime → routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from fastapi import FastAPI

from motcua.clock import Clock
from motcua.db import migrate
from motcua.events import NotificationDelivered, NotificationFailed
from motcua.http import GatewayClient, install_http_edge
from motcua.logs import configure_logging
from motcua.runtime import ServiceRuntime, health_router
from motcua.shutdown import RequestDeadline
from motcua_notify.adapters.channels import (
    HttpSmsChannel,
    SmtpEmailChannel,
    WebhookChannel,
    ZaloZnsChannel,
)
from motcua_notify.adapters.channels import SmtpSettings as SmtpConfig
from motcua_notify.adapters.channels.channel import Channel as Sender
from motcua_notify.adapters.directory_store import shipped_units
from motcua_notify.adapters.queue_wakeups import QUEUED
from motcua_notify.adapters.throttle import TokenBucket
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.quiet_hours import QuietHours
from motcua_notify.domain.rendering import SmsPolicy
from motcua_notify.entrypoints.consumers import (
    subscribe,
    subscribe_agencies,
    subscribe_catalogue,
)
from motcua_notify.entrypoints.http import (
    Services,
    directory_router,
    notifications_router,
    receipts_router,
)
from motcua_notify.service.digest import DigestScheduler
from motcua_notify.service.directory import DirectoryService
from motcua_notify.service.dispatch import Dispatcher
from motcua_notify.service.events import EventApplier
from motcua_notify.service.housekeeping import Housekeeper
from motcua_notify.service.publishing import NoticePublisher
from motcua_notify.service.queries import DeliveryLog
from motcua_notify.service.receipts import ReceiptService
from motcua_notify.service.recording import Recorder
from motcua_notify.service.withdrawals import Withdrawals
from motcua_notify.settings import NotifySettings
from motcua_notify.templates import load_registry

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: NotifySettings | None = None,
    *,
    clock: Clock | None = None,
    senders: Mapping[Channel, Sender] | None = None,
) -> FastAPI:
    """Build the notify app; nothing connects until its lifespan starts.

    `clock` replaces the settings' clock (tests pass a ManualClock); `senders`
    replaces the channels built from the settings.
    """
    settings = settings or NotifySettings()
    configure_logging(settings.service_name, settings.log_level)
    # Migrated in the lifespan below, before the directory is seeded.
    runtime = ServiceRuntime(settings, migrations=None)
    if clock is not None:
        runtime.clock = clock
    runtime.publishes(NotificationDelivered, NotificationFailed)

    quiet = QuietHours(settings.quiet_hours.start, settings.quiet_hours.end)
    publisher = NoticePublisher(settings.topics.notifications)
    recipient_key = settings.api.recipient_key.get_secret_value().encode()
    links = settings.links
    registry = load_registry(
        SmsPolicy(settings.sms.max_segments, settings.sms.unaccented),
        {MessageType(k): v for k, v in settings.zalo.template_ids.items()},
    )
    enabled = _enabled(settings)
    recorder = Recorder(registry, quiet, set(Channel) - enabled, recipient_key, publisher)
    digest = settings.digest
    applier = EventApplier(
        recorder,
        links,
        runtime.clock,
        settings.directory.fallback_one_stop,
        Withdrawals(recorder, links, digest),
    )
    topics = settings.topics
    subscribe(runtime, applier, topics.dossier_events, topics.tracking_events, topics.applicants)
    subscribe_agencies(runtime, settings.topics.agencies)
    subscribe_catalogue(runtime, settings.topics.procedures)

    http = GatewayClient()
    own_senders = senders is None
    active = dict(senders) if senders is not None else _senders(settings, http, enabled)
    dispatch = settings.dispatch
    dispatcher = Dispatcher(
        runtime.sessions,
        active,
        {c: _bucket(settings, c) for c in active},
        runtime.clock,
        quiet,
        publisher,
        dispatch,
        wake=lambda: runtime.wakeups.event(QUEUED),
    )
    housekeeper = Housekeeper(
        runtime.sessions, runtime.clock, settings.retention, dispatch.housekeeping_seconds
    )
    runtime.background(dispatcher.run)
    runtime.background(housekeeper.run)
    runtime.watch(*dispatcher.loops, housekeeper.loop)
    if digest.enabled:
        scheduler = DigestScheduler(runtime.sessions, recorder, runtime.clock, links, digest)
        runtime.background(scheduler.run)
        runtime.watch(scheduler.loop)

    directory = DirectoryService(runtime.sessions)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await migrate(runtime.engine, MIGRATIONS)
        if settings.directory.seed:
            await directory.seed(shipped_units())
        try:
            async with runtime.lifespan(app):
                yield
        finally:
            if own_senders:
                for sender in active.values():
                    if isinstance(sender, SmtpEmailChannel):
                        await sender.close()
            await http.close()

    app = FastAPI(
        title="motcua notify",
        description=(
            "Tells citizens and officials by email, SMS, Zalo and webhooks, with a delivery "
            "log, retries and no duplicates."
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.dispatcher = dispatcher
    app.state.housekeeper = housekeeper
    app.state.services = Services(
        delivery_log=DeliveryLog(runtime.sessions, recipient_key),
        directory=directory,
        receipts=ReceiptService(runtime.sessions, runtime.clock, publisher),
        read_token=settings.api.read_token,
        admin_token=settings.api.admin_token,
        receipt_token=settings.api.receipt_token,
        page_size_max=settings.api.page_size_max,
    )
    install_http_edge(app)
    app.add_middleware(RequestDeadline, shutdown=runtime.shutdown)
    app.include_router(health_router(runtime))
    app.include_router(notifications_router)
    app.include_router(directory_router)
    app.include_router(receipts_router)
    return app


def _enabled(settings: NotifySettings) -> set[Channel]:
    flags = {
        Channel.EMAIL: settings.smtp.enabled,
        Channel.SMS: settings.sms.enabled,
        Channel.ZALO: settings.zalo.enabled,
        Channel.WEBHOOK: settings.webhook.enabled,
    }
    return {channel for channel, on in flags.items() if on}


def _senders(
    settings: NotifySettings, http: GatewayClient, enabled: set[Channel]
) -> dict[Channel, Sender]:
    smtp, sms, zalo = settings.smtp, settings.sms, settings.zalo
    built: dict[Channel, Sender] = {
        Channel.EMAIL: SmtpEmailChannel(
            SmtpConfig(
                host=smtp.host,
                port=smtp.port,
                sender=smtp.sender,
                sender_name=smtp.sender_name,
                message_id_domain=smtp.message_id_domain,
                pool_size=smtp.pool_size,
                timeout=smtp.timeout,
                username=smtp.username,
                password=smtp.password.get_secret_value() if smtp.password else None,
                start_tls=smtp.start_tls,
                use_tls=smtp.use_tls,
            )
        ),
        Channel.SMS: HttpSmsChannel(
            http, sms.base_url, sms.api_key.get_secret_value(), sms.api_key_header, sms.timeout
        ),
        Channel.ZALO: ZaloZnsChannel(
            http, zalo.access_token.get_secret_value(), zalo.base_url, zalo.timeout
        ),
        Channel.WEBHOOK: WebhookChannel(
            http, settings.webhook.secret.get_secret_value().encode(), settings.webhook.timeout
        ),
    }
    return {channel: sender for channel, sender in built.items() if channel in enabled}


def _bucket(settings: NotifySettings, channel: Channel) -> TokenBucket:
    limit = settings.dispatch.rate_limits.get(channel.value)
    return TokenBucket(limit.per_second, limit.burst) if limit else TokenBucket(0, 1)
