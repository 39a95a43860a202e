"""In-memory stores for tests of tracking's service layer without PostgreSQL.

`MemoryStores` implements the ports of `motcua_tracking.service.stores` on plain Python
state, with the PostgreSQL stores' observable behaviour where the service depends on it:
each load gives fresh dossiers (documents and timers round-trip as they are stored), a
save assigns ids to new timers and drops cancelled ones, due timers are claimed in
code order, events are kept in arrival order, decisions get increasing revisions, an
older agency revision never replaces a newer one, and a reception naming a catalogue
revision not kept yet raises `ProcedureNotYetKnown`.

There is one transaction at a time: locks are only recorded (`MemoryCalendar.locks`),
nothing is rolled back, and staged events stay in `MemoryOutbox.staged`; committing,
publishing, retries and dead letters are not simulated. The session the service passes
is ignored: tests give `NO_DATABASE`, which fails loudly if the service uses it.

`MemoryService` wires the tracker, the timer loop and the decision loader on one
context over these stores, as the composition root does over PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from motcua.catalogue import ProcedureNotYetKnown, Procedures
from motcua.clock import ManualClock
from motcua.events import (
    AgencyUpdated,
    DossierReceived,
    Envelope,
    ProcedureUpdated,
    decode,
    encode,
)
from motcua.events.values import ProcedureTerms
from motcua.testing.catalogue import revisions_named
from motcua_tracking.adapters.agencies import StoredOffice
from motcua_tracking.adapters.calendars import StoredDecision
from motcua_tracking.adapters.documents import from_document, to_document
from motcua_tracking.domain import (
    SentAlert,
    Timer,
    TimerKind,
    TrackedDossier,
    WorkingCalendar,
    YearDecision,
    vietnam_time_zone,
)
from motcua_tracking.service import (
    CalendarBook,
    DecisionLoader,
    DossierTracker,
    TimerLoop,
    TrackingContext,
)
from motcua_tracking.settings import TrackingSettings

__all__ = [
    "NO_DATABASE",
    "MemoryCalendar",
    "MemoryDossiers",
    "MemoryOutbox",
    "MemoryService",
    "MemoryStores",
    "NoDatabase",
]

VN = vietnam_time_zone()


class NoDatabase:
    """Stands for the session (and the session factory) of a test without a database:
    any use of it fails, proving the service reached its state only through the stores."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AssertionError(f"the service used the database directly ({name})")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the service opened a database session")


NO_DATABASE: Any = NoDatabase()


@dataclass
class _Row:
    """A dossier as `dossiers` keeps it: the columns the queries read, and its document."""

    agency_code: str
    is_open: bool
    received_at: datetime
    horizon_at: datetime | None
    document: bytes
    updated_at: datetime


@dataclass
class _TimerRow:
    """A timer as `timers` keeps it."""

    dossier_code: str
    scope: Any
    kind: str
    step_seq: int
    share_percent: int
    due_at: datetime
    fire_at: datetime
    fired_at: datetime | None
    alerts: list[list[Any]]


class MemoryDossiers:
    """Tracked dossiers, their timers and applied events, in memory."""

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}
        self.timers: dict[int, _TimerRow] = {}
        self.events: list[tuple[str, bytes]] = []
        self._next_timer_id = 1

    async def load(self, codes: Sequence[str], *, lock: bool = True) -> dict[str, TrackedDossier]:
        """Fresh dossiers among `codes`, in code order, with their timers by id."""
        dossiers = {
            code: from_document(code, orjson.loads(self.rows[code].document))
            for code in sorted(set(codes))
            if code in self.rows
        }
        for timer_id, row in sorted(self.timers.items()):
            if row.dossier_code in dossiers:
                dossiers[row.dossier_code].timers.append(_timer(timer_id, row))
        return dossiers

    async def save(
        self,
        dossiers: Iterable[TrackedDossier],
        calendar_for: Callable[[str], WorkingCalendar],
        now: datetime,
    ) -> None:
        """Keep the dossiers' documents and apply their timer changes."""
        for dossier in dossiers:
            self.rows[dossier.code] = _row(dossier, calendar_for(dossier.agency_code), now)
            for timer in dossier.timers:
                if timer.stored_id is None:
                    self.timers[self._next_timer_id] = _timer_row(dossier.code, timer)
                    self._next_timer_id += 1
                elif timer.cancelled:
                    self.timers.pop(timer.stored_id, None)
                elif timer.changed:
                    stored = self.timers[timer.stored_id]
                    stored.fired_at = timer.fired_at
                    stored.alerts = _alerts(timer)

    async def record(self, envelopes: Sequence[Envelope]) -> None:
        """Keep the events applied to dossiers, in arrival order."""
        self.events += [(e.dossier_code, encode(e)) for e in envelopes if e.dossier_code]

    async def history(self, code: str) -> list[Envelope]:
        """A dossier's recorded events in arrival order."""
        return [decode(raw) for owner, raw in self.events if owner == code]

    async def open_codes(self, agencies: Sequence[str]) -> list[str]:
        """The codes of the open dossiers of `agencies`, in order."""
        return sorted(
            code for code, row in self.rows.items() if row.is_open and row.agency_code in agencies
        )

    async def open_codes_in_window(
        self, window: tuple[datetime, datetime], after: str, limit: int
    ) -> list[str]:
        """Open dossiers received before the window ends whose horizon reaches into it."""
        start, end = window
        found = sorted(
            code
            for code, row in self.rows.items()
            if row.is_open
            and row.horizon_at is not None
            and row.horizon_at >= start
            and row.received_at < end
            and code > after
        )
        return found[:limit]

    async def claim_due(self, until: datetime, limit: int) -> list[str]:
        """Dossiers owning the earliest timers due by `until`, in code order."""
        due = sorted(
            (row.fire_at, row.dossier_code)
            for row in self.timers.values()
            if row.fired_at is None and row.fire_at <= until
        )[: limit * 4]
        return sorted({code for _, code in due} & self.rows.keys())[:limit]

    def pending(self, code: str) -> list[tuple[str, str, datetime]]:
        """A dossier's timers still to fire: (scope, kind, fire time), by fire time."""
        return sorted(
            (
                (row.scope, row.kind, row.fire_at)
                for row in self.timers.values()
                if row.dossier_code == code and row.fired_at is None
            ),
            key=lambda item: (item[2], item[0], item[1]),
        )


class MemoryCalendar:
    """Loaded decisions and published agencies, in memory; locks taken are recorded."""

    def __init__(self) -> None:
        self.stored: dict[int, StoredDecision] = {}
        self.agencies: dict[str, tuple[int, StoredOffice]] = {}
        self.seq = 0
        self.locks: list[str] = []

    async def lock(self, *, exclusive: bool = False) -> None:
        """Record the lock the transaction takes."""
        self.locks.append("exclusive" if exclusive else "shared")

    async def revision(self) -> int:
        """The revision of the newest stored decision (0 when none is stored)."""
        return max((item.revision for item in self.stored.values()), default=0)

    async def decisions(self) -> list[StoredDecision]:
        """Every stored decision, by year."""
        return [self.stored[year] for year in sorted(self.stored)]

    async def store(self, decision: YearDecision, now: datetime) -> int:
        """Store (or replace) the decision of its year under the next revision."""
        revision = await self.revision() + 1
        self.stored[decision.year] = StoredDecision(decision, revision, now)
        return revision

    async def offices_seq(self) -> int:
        """Grows with every stored change to the agencies."""
        return self.seq

    async def offices(self) -> list[StoredOffice]:
        """Every agency kept, with its office hours and merge."""
        return [office for _, office in self.agencies.values()]

    async def keep_agencies(self, states: Sequence[AgencyUpdated]) -> None:
        """Keep the newest revision of each agency."""
        for state in states:
            kept = self.agencies.get(state.code)
            if kept is not None and kept[0] > state.revision:
                continue
            periods = tuple((p.start, p.end) for p in state.office_hours)
            office = StoredOffice(
                state.code, periods, state.late_cutoff, state.merged_into, state.merged_on
            )
            self.agencies[state.code] = (state.revision, office)
            self.seq += 1


class MemoryOutbox:
    """Staged events, in order, with the topic each was staged for."""

    def __init__(self) -> None:
        self.staged: list[tuple[str | None, Envelope]] = []

    async def stage(self, envelopes: Sequence[Envelope], *, topic: str | None = None) -> None:
        """Keep `envelopes` in order."""
        self.staged += [(topic, envelope) for envelope in envelopes]

    def events(self, *types: str) -> list[Envelope]:
        """The staged events, of these types if any are named."""
        return [e for _, e in self.staged if not types or e.event_type in types]


@dataclass
class MemoryStores:
    """The tracking stores in memory, the same whatever session they are opened on."""

    dossier_store: MemoryDossiers = field(default_factory=MemoryDossiers)
    calendar_store: MemoryCalendar = field(default_factory=MemoryCalendar)
    outbox_store: MemoryOutbox = field(default_factory=MemoryOutbox)
    revisions: dict[tuple[str, int], ProcedureTerms] = field(default_factory=dict)

    def dossiers(self, session: Any) -> MemoryDossiers:
        """The stored dossiers."""
        return self.dossier_store

    def calendar(self, session: Any) -> MemoryCalendar:
        """The stored calendar."""
        return self.calendar_store

    def outbox(self, session: Any) -> MemoryOutbox:
        """The outbox."""
        return self.outbox_store

    async def procedures(self, session: Any, envelopes: Sequence[Envelope]) -> Procedures:
        """The kept revisions the receptions among `envelopes` name."""
        named = {
            (e.data.procedure_code, e.data.procedure_revision)
            for e in envelopes
            if isinstance(e.data, DossierReceived) and e.data.copied_terms is None
        }
        if missing := named - self.revisions.keys():
            raise ProcedureNotYetKnown(missing)
        return Procedures({key: self.revisions[key] for key in named})

    def keep_revisions(self, envelopes: Iterable[Envelope]) -> None:
        """Keep the catalogue revisions among `envelopes`."""
        for envelope in envelopes:
            data = envelope.data
            if isinstance(data, ProcedureUpdated):
                self.revisions[(data.procedure.code, data.revision)] = data.procedure


class MemoryService:
    """Tracker, timer loop and decision loader on one context over `MemoryStores`."""

    def __init__(self, clock: ManualClock, settings: TrackingSettings | None = None) -> None:
        self.settings = settings or TrackingSettings()
        self.clock = clock
        self.stores = MemoryStores()
        self.context = TrackingContext(
            clock, CalendarBook.from_settings(self.settings.calendar), self.stores
        )
        self.tracker = DossierTracker(self.settings, self.context)
        self.timers = TimerLoop(
            NO_DATABASE, self.tracker, self.settings.timers, context=self.context
        )
        self.decisions = DecisionLoader(NO_DATABASE, self.tracker, context=self.context)

    async def apply(self, *envelopes: Envelope) -> None:
        """Apply intake's dossier events in one batch, after the catalogue revisions the
        receptions name (intake publishes those first)."""
        self.stores.keep_revisions(revisions_named(envelopes))
        await self.tracker.apply(NO_DATABASE, list(envelopes))

    async def fire(self) -> int:
        """Timer passes until none finds a due dossier; how many dossiers fired."""
        fired = 0
        while count := await self.timers.fire_in(NO_DATABASE):
            fired += count
        return fired

    def published(self, *types: str) -> list[Envelope]:
        """The events staged so far, of these types if any are named."""
        return self.stores.outbox_store.events(*types)

    async def dossier(self, code: str) -> TrackedDossier:
        """A dossier as stored now."""
        return (await self.stores.dossier_store.load([code], lock=False))[code]


def _row(dossier: TrackedDossier, calendar: WorkingCalendar, now: datetime) -> _Row:
    due = dossier.due(calendar) if dossier.is_open else None
    step_due = dossier.current_step.due_at if dossier.is_open else None
    horizon = max((item for item in (due, step_due) if item is not None), default=None)
    return _Row(
        dossier.agency_code,
        dossier.is_open,
        dossier.clock.received_at,
        horizon,
        orjson.dumps(to_document(dossier)),
        now,
    )


def _timer(timer_id: int, row: _TimerRow) -> Timer:
    return Timer(
        row.scope,
        TimerKind(row.kind),
        row.step_seq,
        row.share_percent,
        row.due_at.astimezone(VN),
        row.fire_at.astimezone(VN),
        row.fired_at.astimezone(VN) if row.fired_at else None,
        stored_id=timer_id,
        sent=[SentAlert(*item) for item in row.alerts],
    )


def _timer_row(code: str, timer: Timer) -> _TimerRow:
    return _TimerRow(
        code,
        timer.scope,
        timer.kind.value,
        timer.step_seq,
        timer.share_percent,
        timer.due_at,
        timer.fire_at,
        timer.fired_at,
        _alerts(timer),
    )


def _alerts(timer: Timer) -> list[list[Any]]:
    return [[a.alert_type, a.event_id, a.unit_code, a.step_code] for a in timer.sent]
