"""The scoring service on the real stack: its own database, topics and consumer group
per test, served by uvicorn on a free loopback port."""

from __future__ import annotations

import asyncio
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from scoring_province import OFFICIAL_TOKEN
from sqlalchemy import text

from motcua.clock import ClockSettings
from motcua.db import create_engine
from motcua.events import (
    AlertWithdrawn,
    ApologyIssued,
    ApologyStanding,
    Channel,
    DeadlineChanged,
    DeadlineSet,
    DossierOverdue,
    DossierRefused,
    DossierTransferred,
    DossierVerdictGiven,
    DossierWithdrawn,
    Envelope,
    Event,
    FinancialObligationPaid,
    FinancialObligationSet,
    ProcedureTerms,
    ProcessingFinished,
    ProcessingTime,
    ResultReturned,
    SatisfactionRated,
    SupplementRequested,
    Verdict,
    encode,
)
from motcua.events.topics import TopicSpec, dead_letter_topic, redrive_topic
from motcua.messaging.kafka import idempotent_producer
from motcua.settings import ConsumerSettings, DatabaseSettings, OutboxSettings
from motcua.testing import create_topics, eventually
from motcua.testing.catalogue import reception, revisions_named
from motcua_scoring.app import create_app
from motcua_scoring.domain import LOCAL_TZ
from motcua_scoring.settings import (
    ApiSettings,
    GaugeSettings,
    ScoringSettings,
    StreamSettings,
    TopicSettings,
)

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=LOCAL_TZ)


@dataclass
class Topics:
    dossier_events: str
    tracking_events: str
    indicators: str
    agencies: str
    procedures: str


@dataclass
class RunningScoring:
    app: FastAPI
    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.wait_for(self.task, 30)

    def client(self) -> httpx.AsyncClient:
        """A client of an official: the dossier-level lists need the bearer token."""
        return httpx.AsyncClient(
            base_url=self.url, timeout=10, headers={"Authorization": f"Bearer {OFFICIAL_TOKEN}"}
        )

    def public_client(self) -> httpx.AsyncClient:
        """A client without credentials (the public aggregates)."""
        return httpx.AsyncClient(base_url=self.url, timeout=10)


@pytest.fixture
async def scoring_topics(make_topic) -> Topics:
    return Topics(
        await make_topic("dossier-events", 3),
        await make_topic("tracking-events", 3),
        await make_topic("indicators", 1),
        await make_topic("agencies", 1),
        await make_topic("procedures", 1),
    )


@pytest.fixture
def scoring_settings(fresh_database_url, kafka_settings, scoring_topics):
    """`scoring_settings(database_url=..., group=..., now=...)`: settings on this test's
    topics; each call gets a fresh consumer group (its own service name)."""

    async def make(
        database_url: str | None = None, group: str | None = None, now: datetime = NOW
    ) -> ScoringSettings:
        name = group or f"scoring-{uuid.uuid4().hex[:8]}"
        await create_topics(
            kafka_settings,
            [
                TopicSpec(redrive_topic(name).name, 1),
                TopicSpec(dead_letter_topic(name).name, 1),
            ],
        )
        return ScoringSettings(
            service_name=name,
            database=DatabaseSettings(url=database_url or fresh_database_url, pool_size=5),
            kafka=kafka_settings,
            outbox=OutboxSettings(idle_poll_seconds=0.05),
            consumer=ConsumerSettings(
                backoff_initial_seconds=0.05, backoff_max_seconds=0.2, batch_timeout_ms=50
            ),
            clock=ClockSettings(mode="simulated", start=now, environment="test"),
            topics=TopicSettings(
                dossier_events=scoring_topics.dossier_events,
                tracking_events=scoring_topics.tracking_events,
                indicators=scoring_topics.indicators,
                agencies=scoring_topics.agencies,
                procedures=scoring_topics.procedures,
            ),
            stream=StreamSettings(poll_seconds=0.5, ping_seconds=5),
            api=ApiSettings(official_token=OFFICIAL_TOKEN),
            gauges=GaugeSettings(refresh_seconds=0.5),
        )

    return make


@pytest.fixture
async def start_scoring(fresh_database_url, kafka_settings):
    """`await start_scoring(settings)`: the app served by uvicorn on a free loopback port
    (stopped before the test's database is dropped)."""
    running: list[RunningScoring] = []

    async def start(settings: ScoringSettings) -> RunningScoring:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        app = create_app(settings)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                await task
                raise RuntimeError("scoring did not start")
            await asyncio.sleep(0.02)
        service = RunningScoring(app, f"http://127.0.0.1:{port}", server, task)
        running.append(service)
        return service

    yield start
    for service in running:
        if not service.task.done():
            await service.stop()


@pytest.fixture
async def publish(kafka_settings, scoring_topics):
    """`await publish(topic, *envelopes)`: produce events as intake and tracking do (the
    catalogue revisions the receptions name first, on the test's catalogue topic)."""
    producer = idempotent_producer(kafka_settings, "scoring-tests")
    await producer.start()

    async def send(topic: str, *envelopes: Envelope) -> None:
        for revision in revisions_named(envelopes):
            key = revision.key.encode()
            await producer.send_and_wait(scoring_topics.procedures, encode(revision), key=key)
        futures = [await producer.send(topic, encode(e), key=e.key.encode()) for e in envelopes]
        await asyncio.gather(*futures)

    yield send
    await producer.stop()


@pytest.fixture
def scoring_db():
    """`await scoring_db(url, "SELECT ...")`: one query on a service database."""

    async def query(url: str, sql: str, **params) -> list:
        engine = create_engine(DatabaseSettings(url=url, pool_size=1))
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(text(sql), params)).all())
        finally:
            await engine.dispose()

    return query


@pytest.fixture
def wait_until():
    """`await wait_until(async_predicate, within=20)`."""

    async def wait(predicate, within: float = 30, what: str = "condition") -> None:
        await eventually(predicate, within, every=0.1, what=what)

    return wait


class DossierScript:
    """Builds the envelopes intake and tracking publish for scripted dossiers."""

    def __init__(self, topics: Topics) -> None:
        self.topics = topics
        self.intake: list[Envelope] = []
        self.tracking: list[Envelope] = []

    def _wrap(self, data: Event, code: str, at: datetime, agency: str | None) -> Envelope:
        producer = "tracking" if data.topic.name.startswith("tracking") else "intake"
        envelope = Envelope.wrap(
            data,
            producer=producer,
            occurred_at=at,
            now=at + timedelta(seconds=1),
            dossier_code=code,
            agency_code=agency,
        )
        (self.tracking if producer == "tracking" else self.intake).append(envelope)
        return envelope

    def received(
        self,
        code: str,
        at: datetime,
        *,
        agency: str = "STP",
        unit: str = "A",
        channel: Channel = Channel.COUNTER,
        procedure: str = "P-BIRTH",
        field: str = "civil",
        digitised: bool = False,
    ) -> Envelope:
        terms = ProcedureTerms(
            code=procedure,
            name=procedure,
            field=field,
            processing_time=ProcessingTime(unit="working_days", amount=Decimal(3)),
        )
        event = reception(terms, unit_code=unit, channel=channel, digitised=digitised)
        return self._wrap(event, code, at, agency)

    def deadline(self, code: str, at: datetime, due: datetime, agency: str = "STP") -> Envelope:
        event = DeadlineSet(
            appointment_at=due,
            counting_from=at,
            unit_code="A",
            procedure_code="P",
            procedure_name="P",
        )
        return self._wrap(event, code, at, agency)

    def finished(self, code: str, at: datetime, e_result: bool = False, agency: str = "STP"):
        event = ProcessingFinished(outcome="approved", unit_code="A", e_result_issued=e_result)
        return self._wrap(event, code, at, agency)

    def verdict(
        self,
        code: str,
        at: datetime,
        verdict: Verdict,
        days: float,
        agency: str = "STP",
        *,
        apology: ApologyStanding = ApologyStanding.NOT_NEEDED,
        reappointed_to: datetime | None = None,
        reappointment_kept: bool | None = None,
        revision: int = 0,
    ) -> Envelope:
        event = DossierVerdictGiven(
            verdict=verdict,
            ended_by="processing_finished",
            finished_at=at,
            due_at=at,
            processing_working_days=days,
            apology=apology,
            reappointed_to=reappointed_to,
            reappointment_kept=reappointment_kept,
            revision=revision,
        )
        return self._wrap(event, code, at, agency)

    def deadline_changed(
        self,
        code: str,
        at: datetime,
        old: datetime | None,
        new: datetime | None,
        cause: str,
        revision: int = 0,
        agency: str = "STP",
    ) -> Envelope:
        event = DeadlineChanged(
            old_due_at=old,
            new_due_at=new,
            cause=cause,
            corrected=revision > 0,
            revision=revision,
        )
        return self._wrap(event, code, at, agency)

    def overdue_alert(self, code: str, at: datetime, due: datetime, agency="STP") -> Envelope:
        return self._wrap(DossierOverdue(unit_code="A", due_at=due), code, at, agency)

    def alert_withdrawn(
        self, code: str, at: datetime, alert: Envelope, agency: str = "STP"
    ) -> Envelope:
        event = AlertWithdrawn(
            alert_event_id=str(alert.event_id),
            alert_type=alert.event_type,
            unit_code="A",
            due_at=alert.data.due_at,
            reason="ended_before_due",
        )
        return self._wrap(event, code, at, agency)

    def returned(self, code: str, at: datetime, agency: str = "STP") -> Envelope:
        return self._wrap(ResultReturned(), code, at, agency)

    def obligation(self, code: str, at: datetime, agency: str = "STP") -> Envelope:
        return self._wrap(
            FinancialObligationSet(amount_vnd=50_000, description="fee"), code, at, agency
        )

    def paid(self, code: str, at: datetime, method: str, agency: str = "STP") -> Envelope:
        return self._wrap(
            FinancialObligationPaid(amount_vnd=50_000, method=method), code, at, agency
        )

    def supplement(self, code: str, at: datetime, agency: str = "STP") -> Envelope:
        event = SupplementRequested(missing_items=("CCCD",), reason="thiếu", unit_code="A")
        return self._wrap(event, code, at, agency)

    def apology(
        self, code: str, at: datetime, due: datetime, new_due: datetime, late: bool, agency="STP"
    ) -> Envelope:
        event = ApologyIssued(
            unit_code="A",
            reason="quá tải",
            original_due_at=due,
            new_appointment_at=new_due,
            filed_at=at,
            late=late,
        )
        return self._wrap(event, code, at, agency)

    def transferred(self, code: str, at: datetime, to_unit: str, agency: str = "STP"):
        return self._wrap(DossierTransferred(from_unit="A", to_unit=to_unit), code, at, agency)

    def refused(self, code: str, at: datetime, unit: str = "A", agency: str = "STP"):
        event = DossierRefused(stage="reception", reasons=("sai thẩm quyền",), unit_code=unit)
        return self._wrap(event, code, at, agency)

    def withdrawn(self, code: str, at: datetime, agency: str = "STP") -> Envelope:
        return self._wrap(DossierWithdrawn(reason="công dân rút"), code, at, agency)

    def rated(
        self, code: str, at: datetime, score: int, complaint: bool = False, agency: str = "STP"
    ) -> Envelope:
        return self._wrap(SatisfactionRated(score=score, complaint=complaint), code, at, agency)

    async def publish(self, publish) -> None:
        await publish(self.topics.dossier_events, *self.intake)
        await publish(self.topics.tracking_events, *self.tracking)

    @property
    def envelopes(self) -> list[Envelope]:
        return [*self.intake, *self.tracking]


@pytest.fixture
def script(scoring_topics) -> DossierScript:
    """A fresh `DossierScript` on this test's topics."""
    return DossierScript(scoring_topics)
