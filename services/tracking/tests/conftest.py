"""Fixtures of the tracking tests: intake's events as a factory, the service on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from itertools import groupby
from typing import Any

import pytest
from sqlalchemy import text

from motcua.clock import ManualClock
from motcua.db import create_engine, migrate, sessions
from motcua.events import (
    ApologyFiled,
    Applicant,
    ApplicantErased,
    ApplicantRecorded,
    Channel,
    DossierRefused,
    DossierTransferred,
    DossierWithdrawn,
    Envelope,
    Event,
    ProcedureTerms,
    ProcessingFinished,
    ResultReturned,
    SupplementReceived,
    SupplementRequested,
    decode,
)
from motcua.events.topics import APPLICANTS
from motcua.settings import DatabaseSettings
from motcua.testing.catalogue import BUILDING_PERMIT, reception, revisions_named
from motcua.testing.events import new_dossier_code, wrap
from motcua_tracking.app import MIGRATIONS
from motcua_tracking.domain import vietnam_time_zone
from motcua_tracking.service import (
    CalendarBook,
    DecisionLoader,
    DossierTracker,
    Lookups,
    TimerLoop,
    TrackingContext,
)
from motcua_tracking.settings import (
    ApiSettings,
    DeadlineSettings,
    TimerSettings,
    TrackingSettings,
)

VN = vietnam_time_zone()
OFFICIAL_TOKEN = "official-test-token"
ADMIN_TOKEN = "admin-test-token"


# 5 working days: reception ½, specialist 3½, sign-off ½, result ½ (as in the unit tests).
TERMS = BUILDING_PERMIT


class IntakeEvents:
    """Envelopes as intake publishes them, for one agency."""

    def __init__(self, agency: str = "STP") -> None:
        self.agency = agency

    def new_code(self) -> str:
        return new_dossier_code(self.agency)

    def wrap(self, code: str, data: Event, at: datetime) -> Envelope:
        return wrap(data, code=code, at=at, agency=self.agency, producer="intake")

    def received(self, code: str, at: datetime, terms: ProcedureTerms = TERMS) -> Envelope:
        return self.wrap(code, reception(terms, unit_code="MC", channel=Channel.COUNTER), at)

    def applicant(self, code: str, at: datetime, phone: str = "0912345678") -> Envelope:
        """The applicant's record, on the applicants' topic (written with the reception)."""
        applicant = Applicant(name="Nguyễn Văn A", national_id="001099012345", phone=phone)
        return self.wrap(code, ApplicantRecorded(applicant=applicant), at)

    def erased(self, code: str, at: datetime) -> Envelope:
        return self.wrap(code, ApplicantErased(reason="request"), at)

    def transferred(
        self, code: str, at: datetime, from_unit: str, to_unit: str, step: str | None = None
    ) -> Envelope:
        data = DossierTransferred(from_unit=from_unit, to_unit=to_unit, step_code=step)
        return self.wrap(code, data, at)

    def supplement_requested(self, code: str, at: datetime, unit: str = "PCM") -> Envelope:
        data = SupplementRequested(missing_items=("Bản vẽ",), reason="thiếu bản vẽ", unit_code=unit)
        return self.wrap(code, data, at)

    def supplement_received(self, code: str, at: datetime) -> Envelope:
        return self.wrap(code, SupplementReceived(items=("Bản vẽ",)), at)

    def apology(
        self, code: str, at: datetime, new_due: datetime, reason: str = "cần xác minh thực địa"
    ) -> Envelope:
        data = ApologyFiled(unit_code="PCM", reason=reason, new_appointment_at=new_due)
        return self.wrap(code, data, at)

    def finished(self, code: str, at: datetime, unit: str = "LD") -> Envelope:
        return self.wrap(code, ProcessingFinished(outcome="approved", unit_code=unit), at)

    def refused(self, code: str, at: datetime) -> Envelope:
        data = DossierRefused(stage="appraisal", reasons=("không đủ điều kiện",), unit_code="PCM")
        return self.wrap(code, data, at)

    def withdrawn(self, code: str, at: datetime) -> Envelope:
        return self.wrap(code, DossierWithdrawn(reason="công dân rút hồ sơ"), at)

    def result_returned(self, code: str, at: datetime) -> Envelope:
        return self.wrap(code, ResultReturned(), at)


@pytest.fixture
def intake() -> IntakeEvents:
    return IntakeEvents()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))


def tracking_settings(
    database_url: str, timers: dict[str, Any] | None = None, **deadlines: Any
) -> TrackingSettings:
    return TrackingSettings(
        database=DatabaseSettings(url=database_url, pool_size=4, max_overflow=4),
        deadlines=DeadlineSettings(**deadlines),
        timers=TimerSettings(**(timers or {})),
        api=ApiSettings(official_token=OFFICIAL_TOKEN, admin_token=ADMIN_TOKEN),
    )


class Harness:
    """The service layer on a real database, driven without Kafka."""

    def __init__(self, settings: TrackingSettings, clock: ManualClock) -> None:
        self.settings = settings
        self.clock = clock
        self.engine = create_engine(settings.database)
        self.sessions = sessions(self.engine)
        self.context = TrackingContext(clock, CalendarBook.from_settings(settings.calendar))
        self.tracker = DossierTracker(settings, self.context)
        self.timers = TimerLoop(self.sessions, self.tracker, settings.timers, context=self.context)
        self.decisions = DecisionLoader(self.sessions, self.tracker, context=self.context)
        limits = settings.api.lookups
        self.lookups = Lookups(
            self.sessions,
            self.context.calendars,
            clock,
            self.tracker.rules.granularity,
            digest=self.tracker.digest,
            per_client=limits.limits(limits.free_failures_per_client),
            per_code=limits.limits(limits.free_failures_per_code),
            client_key=b"test-client-key",
        )

    async def apply(self, *envelopes: Envelope) -> None:
        """Apply in one transaction, each run of one topic's events by its own handler,
        after the catalogue revisions the receptions name (intake publishes them first)."""
        async with self.sessions() as session, session.begin():
            await self.tracker.apply_catalogue(session, revisions_named(envelopes))
            for topic, run in groupby(envelopes, key=lambda e: e.topic):
                if topic == APPLICANTS.name:
                    await self.tracker.apply_applicants(session, list(run))
                else:
                    await self.tracker.apply(session, list(run))

    async def fire(self) -> int:
        fired = 0
        while count := await self.timers.fire_due():
            fired += count
        return fired

    async def published(self, *types: str) -> list[Envelope]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT payload FROM outbox ORDER BY id"))).scalars()
            found = [decode(row) for row in rows]
        return [e for e in found if not types or e.event_type in types]

    async def pending_timers(self, code: str) -> list[tuple[str, str, datetime]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT scope, kind, fire_at FROM timers"
                    " WHERE dossier_code = :c AND fired_at IS NULL ORDER BY fire_at, scope, kind"
                ),
                {"c": code},
            )
            return [(r.scope, r.kind, r.fire_at) for r in rows]


@pytest.fixture
async def make_harness(
    fresh_database_url: str, clock: ManualClock
) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    """`await make_harness(supplement_policy="restart")`: the service with those rules
    (`timers={...}` sets the timer loop's settings)."""
    made: list[Harness] = []

    async def make(timers: dict[str, Any] | None = None, **deadlines: Any) -> Harness:
        service = Harness(tracking_settings(fresh_database_url, timers, **deadlines), clock)
        await migrate(service.engine, MIGRATIONS)
        made.append(service)
        return service

    yield make
    for service in made:
        await service.engine.dispose()


@pytest.fixture
async def harness(make_harness: Callable[..., Awaitable[Harness]]) -> Harness:
    return await make_harness()
