"""The services in one event loop on the real broker and database, with their own
topics, databases and consumer groups, sharing one manual clock.

Intake, tracking, scoring and notify always run. A test marked `province_portal` runs the
portal sync too, against a stand-in national portal served over HTTP on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pydantic import BaseModel

from motcua.clock import ManualClock
from motcua.events import AlertWithdrawn, Envelope, decode
from motcua.settings import ConsumerSettings, DatabaseSettings, KafkaSettings, OutboxSettings
from motcua.testing import eventually, free_port
from motcua.testing.serving import Served, asgi_client, running, serve
from motcua.testing.topics import Topics, make_topics, new_service
from motcua_devstack.fake_dvcqg import create_app as national_portal_app
from motcua_intake.app import create_app as intake_app
from motcua_intake.settings import BootstrapKey, IntakeSettings
from motcua_intake.settings import TopicSettings as IntakeTopics
from motcua_notify.app import create_app as notify_app
from motcua_notify.settings import ApiSettings as NotifyApi
from motcua_notify.settings import NotifySettings, SmtpSettings
from motcua_notify.settings import TopicSettings as NotifyTopics
from motcua_portal.app import create_app as portal_app
from motcua_portal.settings import ApiSettings as PortalApi
from motcua_portal.settings import DvcqgSettings, PortalSettings, SyncSettings
from motcua_portal.settings import TopicSettings as PortalTopics
from motcua_scoring.app import create_app as scoring_app
from motcua_scoring.settings import ApiSettings as ScoringApi
from motcua_scoring.settings import ScoringSettings
from motcua_scoring.settings import TopicSettings as ScoringTopics
from motcua_tracking.app import create_app as tracking_app
from motcua_tracking.settings import ApiSettings as TrackingApi
from motcua_tracking.settings import TimerSettings, TrackingSettings
from motcua_tracking.settings import TopicSettings as TrackingTopics

STP_KEY = "cross-service-stp-key-0000000000"
ADMIN_KEY = "cross-service-admin-key-000000000"
TOKEN = "cross-service-operator-token"
NATIONAL_PORTAL_PASSWORD = "cross-service-national-portal"
S = TypeVar("S", bound=BaseModel)
_COMPACTED_AT_ONCE = (
    ("segment.ms", "1000"),
    ("min.cleanable.dirty.ratio", "0.01"),
    ("max.compaction.lag.ms", "1000"),
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "province_portal: the province runs the portal sync too, against a stand-in "
        "national portal",
    )


class Mailbox:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def texts(self) -> list[str]:
        return [m.get_body(preferencelist=("plain",)).get_content() for m in self.messages]

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


class NationalPortal:
    """The stand-in national portal (DVCQG) served over HTTP on loopback, keeping what the
    portal sync sends it."""

    def __init__(self) -> None:
        self._app = national_portal_app(password=NATIONAL_PORTAL_PASSWORD)
        self._served: Served | None = None
        self._http = httpx.AsyncClient()

    @property
    def url(self) -> str:
        assert self._served is not None, "the national portal stand-in is not started"
        return self._served.url

    async def received(self, code: str) -> dict[str, Any]:
        """What it holds of a dossier: `record` (None before the first DongBoHoSoMC) and
        `progress`."""
        response = await self._http.get("/_received", params={"MaHoSo": code})
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    async def __aenter__(self) -> NationalPortal:
        self._served = await serve(self._app, lifespan="off", log_config=None)
        self._http = self._served.public_client()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()
        if self._served is not None:
            await self._served.stop()


class Province:
    """The running services and what the test needs to drive and observe them."""

    def __init__(
        self, kafka: KafkaSettings, topics: Topics, clock: ManualClock, mailbox: Mailbox
    ) -> None:
        self.kafka = kafka
        self.clock = clock
        self.mailbox = mailbox
        self.admin_key = ADMIN_KEY
        self.stp_key = STP_KEY
        self.topics = topics
        """The test's topics."""
        self.service_names: dict[str, str] = {}
        self.database_urls: dict[str, str] = {}
        self.apps: dict[str, FastAPI] = {}
        self.clients: dict[str, httpx.AsyncClient] = {}
        self.national_portal: NationalPortal | None = None
        """The stand-in national portal, when the portal sync runs."""
        self.tracking_topic = topics.tracking_events
        self.alert_grace = timedelta(0)
        """How long past its due instant tracking waits before an alert fires."""
        self._tracking_events: list[Envelope] = []

    async def post(self, path: str, body: dict[str, Any], at: datetime) -> dict[str, Any]:
        """Intake call made by counter software at simulated time `at`."""
        self.clock.set(at)
        response = await self.clients["intake"].post(
            path, json=body, headers={"X-API-Key": STP_KEY, "Idempotency-Key": str(uuid.uuid4())}
        )
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    async def tracking_events(
        self, code: str, event_type: str, within: float = 30
    ) -> list[Envelope]:
        """Tracking's published events of that type for the dossier, waiting for one."""

        async def found() -> list[Envelope]:
            return [
                e
                for e in self._tracking_events
                if e.dossier_code == code and e.event_type == event_type
            ]

        return await eventually(found, within)

    async def notifications(self, code: str, message_type: str, within: float = 30) -> list[dict]:
        """Notify's delivery log for the dossier, waiting for a sent message of that type."""

        async def found() -> list[dict]:
            response = await self.clients["notify"].get(
                "/v1/notifications",
                params={"dossier_code": code},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            items = response.json()["items"]
            return [
                n
                for n in items
                if n["message_type"] == message_type
                and n["status"] in {"sent", "accepted", "delivered"}
            ]

        return await eventually(found, within)

    eventually = staticmethod(eventually)

    def withdrawn_alerts(self) -> list[Envelope]:
        """Tracking's alert withdrawals seen so far (each once)."""
        return self._published("tracking.alert-withdrawn")

    def standing_alerts(self, event_type: str) -> list[Envelope]:
        """Tracking's alerts of that type seen so far and not withdrawn (each once)."""
        withdrawn = {
            e.data.alert_event_id
            for e in self.withdrawn_alerts()
            if isinstance(e.data, AlertWithdrawn)
        }
        return [e for e in self._published(event_type) if str(e.event_id) not in withdrawn]

    def _published(self, event_type: str) -> list[Envelope]:
        unique = {e.event_id: e for e in self._tracking_events if e.event_type == event_type}
        return list(unique.values())

    async def indicators(self, scope: str, period: str) -> dict[str, Any]:
        response = await self.clients["scoring"].get(
            "/v1/indicators", params={"scope": scope, "period": period}
        )
        figures: dict[str, Any] = response.json()["items"][0]["figures"]
        return figures

    async def records(self, role: str, key: str) -> list[bytes]:
        """The raw values on the test's topic of `role` (dossier_events, applicants…)
        under `key`, from its start."""
        consumer = AIOKafkaConsumer(
            self.topics.by_role()[role],
            **self.kafka.client_options(),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            found = []
            for records in (await consumer.getmany(timeout_ms=3000)).values():
                found += [r.value for r in records if r.key == key.encode() and r.value]
            return found
        finally:
            await consumer.stop()

    async def follow_tracking(self) -> None:
        consumer = AIOKafkaConsumer(
            self.tracking_topic,
            **self.kafka.client_options(),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            while True:
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    self._tracking_events += [decode(r.value) for r in records]
        finally:
            await consumer.stop()


@pytest.fixture
async def province(
    request: pytest.FixtureRequest,
    kafka_settings: KafkaSettings,
    new_database: Callable[[], Awaitable[str]],
) -> AsyncIterator[Province]:
    services = ["intake", "tracking", "scoring", "notify"]
    if request.node.get_closest_marker("province_portal") is not None:
        services.append("portal")
    run = uuid.uuid4().hex[:8]
    names = {s: await new_service(kafka_settings, s) for s in services}
    # The applicants' topic is compacted like the real one, but rolling and cleaning
    # within seconds, so a test can see an erased record leave it.
    topics = await make_topics(kafka_settings, "x-", compacted={"applicants": _COMPACTED_AT_ONCE})
    urls = {s: await new_database() for s in services}
    common: dict[str, Any] = {
        "kafka": kafka_settings,
        "outbox": OutboxSettings(idle_poll_seconds=0.02),
        "consumer": ConsumerSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.05),
    }

    def settings(kind: type[S], service: str, topic_settings: type[BaseModel], **fields: Any) -> S:
        """A service's settings on its own name and database and the test's topics."""
        database = DatabaseSettings(url=urls[service], pool_size=4)
        wired = topics.wire(topic_settings)
        return kind(
            service_name=names[service], database=database, **common, topics=wired, **fields
        )

    clock = ManualClock(datetime.fromisoformat("2026-06-01T08:00:00+07:00"))
    with Mailbox() as mailbox:
        made = Province(kafka_settings, topics, clock, mailbox)
        made.service_names = names
        made.database_urls = urls
        timers = TimerSettings(poll_seconds=0.05, gauge_seconds=0.5)
        made.alert_grace = timers.alert_grace()
        apps = {
            "intake": intake_app(
                settings(
                    IntakeSettings,
                    "intake",
                    IntakeTopics,
                    bootstrap_keys=[
                        BootstrapKey(key=STP_KEY, agency="STP"),
                        BootstrapKey(key=ADMIN_KEY, scopes=["admin"]),
                    ],
                    commands={"enabled": False},
                ),
                clock=clock,
            ),
            "tracking": tracking_app(
                settings(
                    TrackingSettings,
                    "tracking",
                    TrackingTopics,
                    timers=timers,
                    api=TrackingApi(official_token=TOKEN, admin_token=TOKEN),
                ),
                clock=clock,
            ),
            "scoring": scoring_app(
                settings(
                    ScoringSettings,
                    "scoring",
                    ScoringTopics,
                    consumer_name=f"scoring-{run}",
                    api=ScoringApi(official_token=TOKEN),
                ),
                clock=clock,
            ),
            "notify": notify_app(
                settings(
                    NotifySettings,
                    "notify",
                    NotifyTopics,
                    smtp=SmtpSettings(host="127.0.0.1", port=mailbox.port, pool_size=2),
                    sms=NotifySettings().sms.model_copy(update={"enabled": False}),
                    zalo=NotifySettings().zalo.model_copy(update={"enabled": False}),
                    api=NotifyApi(read_token=TOKEN, admin_token=TOKEN),
                ),
                clock=clock,
            ),
        }
        follower = asyncio.create_task(made.follow_tracking())
        async with contextlib.AsyncExitStack() as stack:
            if "portal" in names:
                national = await stack.enter_async_context(NationalPortal())
                made.national_portal = national
                apps["portal"] = portal_app(
                    settings(
                        PortalSettings,
                        "portal",
                        PortalTopics,
                        dvcqg=DvcqgSettings(
                            adapter_url=national.url,
                            password=NATIONAL_PORTAL_PASSWORD,
                            dstcode="PTO",
                            read_timeout_seconds=5,
                            connect_timeout_seconds=5,
                            calls_per_second=500,
                        ),
                        # The clock stands still between a test's steps, so a retry is due
                        # at once rather than after a backoff that would never pass.
                        sync=SyncSettings(
                            idle_poll_seconds=0.05,
                            backoff_initial_seconds=0,
                            backoff_max_seconds=0,
                            unmapped_procedure="local_code",
                            gauge_seconds=0.5,
                        ),
                        api=PortalApi(official_token=TOKEN, admin_token=TOKEN),
                    ),
                    clock=clock,
                )
            for name, app in apps.items():
                made.apps[name] = await stack.enter_async_context(running(app))
                made.clients[name] = await stack.enter_async_context(asgi_client(app, name))
            yield made
        follower.cancel()
