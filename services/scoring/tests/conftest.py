"""The scoring service on the real stack: its own database, topics and consumer group
per test, served by uvicorn on a free loopback port."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from scoring_province import OFFICIAL_TOKEN

from motcua.clock import ClockSettings
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
)
from motcua.settings import ConsumerSettings, DatabaseSettings, OutboxSettings
from motcua.testing import eventually
from motcua.testing.catalogue import reception
from motcua.testing.database import query
from motcua.testing.events import wrap
from motcua.testing.serving import Served
from motcua.testing.topics import Topics, new_service
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
OFFICIAL = {"Authorization": f"Bearer {OFFICIAL_TOKEN}"}


@pytest.fixture
def scoring_settings(fresh_database_url, kafka_settings, topics):
    """`scoring_settings(database_url=..., group=..., now=...)`: settings on this test's
    topics; each call gets a fresh consumer group (its own service name)."""

    async def make(
        database_url: str | None = None, group: str | None = None, now: datetime = NOW
    ) -> ScoringSettings:
        name = await new_service(kafka_settings, group or "scoring", as_is=group is not None)
        return ScoringSettings(
            service_name=name,
            database=DatabaseSettings(url=database_url or fresh_database_url, pool_size=5),
            kafka=kafka_settings,
            outbox=OutboxSettings(idle_poll_seconds=0.05),
            consumer=ConsumerSettings(
                backoff_initial_seconds=0.05, backoff_max_seconds=0.2, batch_timeout_ms=50
            ),
            clock=ClockSettings(mode="simulated", start=now, environment="test"),
            topics=topics.wire(TopicSettings),
            stream=StreamSettings(poll_seconds=0.5, ping_seconds=5),
            api=ApiSettings(official_token=OFFICIAL_TOKEN),
            gauges=GaugeSettings(refresh_seconds=0.5),
        )

    return make


@pytest.fixture
def start_scoring(fresh_database_url, serve_app):
    """`await start_scoring(settings)`: the app served by uvicorn on a free loopback port
    (stopped before the test's database is dropped); its `client()` is an official's (the
    dossier-level lists need the bearer token), its `public_client()` has no credentials."""

    async def start(settings: ScoringSettings) -> Served:
        return await serve_app(create_app(settings), credentials=OFFICIAL)

    return start


@pytest.fixture
def scoring_db():
    """`await scoring_db(url, "SELECT ...")`: one query on a service database."""
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
        recorded_at = at + timedelta(seconds=1)
        envelope = wrap(data, code=code, at=at, agency=agency, recorded_at=recorded_at)
        (self.tracking if envelope.producer == "tracking" else self.intake).append(envelope)
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
def script(topics) -> DossierScript:
    """A fresh `DossierScript` on this test's topics."""
    return DossierScript(topics)
