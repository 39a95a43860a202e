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
from typing import Any

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaConsumer
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from motcua.clock import ManualClock
from motcua.devstack.fake_dvcqg import create_app as national_portal_app
from motcua.events import (
    AlertWithdrawn,
    Envelope,
    TopicSpec,
    dead_letter_topic,
    decode,
    redrive_topic,
)
from motcua.settings import ConsumerSettings, DatabaseSettings, KafkaSettings, OutboxSettings
from motcua.testing import create_database, create_topics, drop_database, eventually, free_port
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
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        app = national_portal_app(password=NATIONAL_PORTAL_PASSWORD)
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                log_config=None,
                log_level="warning",
                lifespan="off",
            )
        )
        self._serving: asyncio.Task[None] | None = None
        self._http = httpx.AsyncClient(base_url=self.url, timeout=10)

    async def received(self, code: str) -> dict[str, Any]:
        """What it holds of a dossier: `record` (None before the first DongBoHoSoMC) and
        `progress`."""
        response = await self._http.get("/_received", params={"MaHoSo": code})
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    async def __aenter__(self) -> NationalPortal:
        self._serving = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._serving.done():
                await self._serving
                raise RuntimeError("the national portal stand-in did not start")
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()
        self._server.should_exit = True
        if self._serving is not None:
            await self._serving


class Province:
    """The running services and what the test needs to drive and observe them."""

    def __init__(self, kafka: KafkaSettings, clock: ManualClock, mailbox: Mailbox) -> None:
        self.kafka = kafka
        self.clock = clock
        self.mailbox = mailbox
        self.admin_key = ADMIN_KEY
        self.stp_key = STP_KEY
        self.topics: dict[str, str] = {}
        """The test's topics by role (dossiers, applicants, tracking…)."""
        self.service_names: dict[str, str] = {}
        self.database_urls: dict[str, str] = {}
        self.apps: dict[str, FastAPI] = {}
        self.clients: dict[str, httpx.AsyncClient] = {}
        self.national_portal: NationalPortal | None = None
        """The stand-in national portal, when the portal sync runs."""
        self.tracking_topic = ""
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

    async def records(self, topic: str, key: str) -> list[bytes]:
        """The raw values on one of the test's topics under `key`, from its start."""
        consumer = AIOKafkaConsumer(
            self.topics[topic],
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
    database_base_url: str,
    make_topic: Callable[..., Awaitable[str]],
) -> AsyncIterator[Province]:
    services = ["intake", "tracking", "scoring", "notify"]
    if request.node.get_closest_marker("province_portal") is not None:
        services.append("portal")
    run = uuid.uuid4().hex[:8]
    names = {s: f"{s}-{run}" for s in services}
    await create_topics(
        kafka_settings,
        [
            spec
            for name in names.values()
            for spec in (dead_letter_topic(name), redrive_topic(name))
        ],
    )
    topics = {
        "dossiers": await make_topic("x-dossiers", partitions=3),
        "catalogue": await make_topic("x-catalogue", partitions=1),
        "agencies": await make_topic("x-agencies", partitions=1),
        "tracking": await make_topic("x-tracking", partitions=3),
        "indicators": await make_topic("x-indicators", partitions=1),
        "notices": await make_topic("x-notices", partitions=1),
        "applicants": f"test.x-applicants.{run}.v1",
    }
    # Compacted like the real one, but rolling and cleaning within seconds, so a test can
    # see an erased record leave it.
    await create_topics(
        kafka_settings,
        [TopicSpec(topics["applicants"], 3, compacted=True, extra=_COMPACTED_AT_ONCE)],
    )
    databases = {s: f"x_{s}_{run}" for s in names}
    for name in databases.values():
        await create_database(database_base_url, name)
    common: dict[str, Any] = {
        "kafka": kafka_settings,
        "outbox": OutboxSettings(idle_poll_seconds=0.02),
        "consumer": ConsumerSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.05),
    }

    def db(service: str) -> DatabaseSettings:
        return DatabaseSettings(url=f"{database_base_url}/{databases[service]}", pool_size=4)

    clock = ManualClock(datetime.fromisoformat("2026-06-01T08:00:00+07:00"))
    with Mailbox() as mailbox:
        made = Province(kafka_settings, clock, mailbox)
        made.tracking_topic = topics["tracking"]
        made.topics = topics
        made.service_names = names
        made.database_urls = {s: db(s).url for s in databases}
        timers = TimerSettings(poll_seconds=0.05, gauge_seconds=0.5)
        made.alert_grace = timers.alert_grace()
        apps = {
            "intake": intake_app(
                IntakeSettings(
                    service_name=names["intake"],
                    database=db("intake"),
                    **common,
                    bootstrap_keys=[
                        BootstrapKey(key=STP_KEY, agency="STP"),
                        BootstrapKey(key=ADMIN_KEY, scopes=["admin"]),
                    ],
                    commands={"enabled": False},
                    topics=IntakeTopics(
                        dossier_events=topics["dossiers"],
                        applicants=topics["applicants"],
                        catalogue=topics["catalogue"],
                        agencies=topics["agencies"],
                    ),
                ),
                clock=clock,
            ),
            "tracking": tracking_app(
                TrackingSettings(
                    service_name=names["tracking"],
                    database=db("tracking"),
                    **common,
                    topics=TrackingTopics(
                        dossier_events=topics["dossiers"],
                        applicants=topics["applicants"],
                        procedures=topics["catalogue"],
                        agencies=topics["agencies"],
                        publish_to=topics["tracking"],
                    ),
                    timers=timers,
                    api=TrackingApi(official_token=TOKEN, admin_token=TOKEN),
                ),
                clock=clock,
            ),
            "scoring": scoring_app(
                ScoringSettings(
                    service_name=names["scoring"],
                    consumer_name=f"scoring-{run}",
                    database=db("scoring"),
                    **common,
                    topics=ScoringTopics(
                        dossier_events=topics["dossiers"],
                        tracking_events=topics["tracking"],
                        indicators=topics["indicators"],
                        agencies=topics["agencies"],
                        procedures=topics["catalogue"],
                    ),
                    api=ScoringApi(official_token=TOKEN),
                ),
                clock=clock,
            ),
            "notify": notify_app(
                NotifySettings(
                    service_name=names["notify"],
                    database=db("notify"),
                    **common,
                    topics=NotifyTopics(
                        dossier_events=topics["dossiers"],
                        applicants=topics["applicants"],
                        tracking_events=topics["tracking"],
                        notifications=topics["notices"],
                        agencies=topics["agencies"],
                        procedures=topics["catalogue"],
                    ),
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
                    PortalSettings(
                        service_name=names["portal"],
                        database=db("portal"),
                        **common,
                        topics=PortalTopics(
                            dossier_events=topics["dossiers"],
                            tracking_events=topics["tracking"],
                            procedures=topics["catalogue"],
                            applicants=topics["applicants"],
                        ),
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
                await stack.enter_async_context(app.router.lifespan_context(app))
                made.apps[name] = app
                made.clients[name] = await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
                    )
                )
            yield made
        follower.cancel()
    for name in databases.values():
        await drop_database(database_base_url, name)
