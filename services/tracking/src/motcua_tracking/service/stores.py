"""Where the tracking use cases keep their state, as the service layer sees it.

The use cases never write SQL: within the caller's transaction (its session) they read
and write through these ports, which `motcua_tracking.adapters.stores` implements on
PostgreSQL. The unit of work on dossiers (`DossierTracker.change`) is: load them locked
(`StoredDossiers.load`), apply a change, save them (`StoredDossiers.save`) and stage the
events the outcomes call for (`Outbox.stage`), all in that one transaction. Committing,
retrying and publishing the staged events stay with the caller and the outbox relay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import Procedures
from motcua.events import AgencyUpdated, Envelope
from motcua_tracking.adapters.agencies import StoredOffice
from motcua_tracking.adapters.calendars import StoredDecision
from motcua_tracking.domain import TrackedDossier, WorkingCalendar, YearDecision

__all__ = ["Outbox", "StoredCalendar", "StoredDossiers", "TrackingStores"]


class StoredDossiers(Protocol):
    """The tracked dossiers of one transaction, with their timers and applied events."""

    async def load(self, codes: Sequence[str], *, lock: bool = True) -> dict[str, TrackedDossier]:
        """The dossiers among `codes` that exist, locked in code order unless told not to;
        each load gives objects of its own (changing one changes nothing stored)."""
        ...

    async def save(
        self,
        dossiers: Iterable[TrackedDossier],
        calendar_for: Callable[[str], WorkingCalendar],
        now: datetime,
    ) -> None:
        """Write the dossiers and their timer changes (new, fired, cancelled); their due
        times on `calendar_for(agency_code)`."""
        ...

    async def record(self, envelopes: Sequence[Envelope]) -> None:
        """Keep incoming events applied to dossiers, in the order given (their arrival)."""
        ...

    async def history(self, code: str) -> list[Envelope]:
        """A dossier's recorded events in arrival order."""
        ...

    async def open_codes(self, agencies: Sequence[str]) -> list[str]:
        """The codes of the open dossiers of `agencies`, in order."""
        ...

    async def open_codes_in_window(
        self, window: tuple[datetime, datetime], after: str, limit: int
    ) -> list[str]:
        """Up to `limit` codes after `after`, in order, of the open dossiers received
        before the window ends whose horizon reaches into it."""
        ...

    async def claim_due(self, until: datetime, limit: int) -> list[str]:
        """Lock up to `limit` dossiers owning timers due by `until`, skipping dossiers
        locked elsewhere; their codes in order."""
        ...


class StoredCalendar(Protocol):
    """The calendar as stored: yearly decisions, agencies' office hours and merges, and
    the lock that keeps deadlines from being computed on a calendar being replaced."""

    async def lock(self, *, exclusive: bool = False) -> None:
        """Take the calendar lock for the rest of the transaction (shared unless told)."""
        ...

    async def revision(self) -> int:
        """The revision of the newest stored decision (0 when none is stored)."""
        ...

    async def decisions(self) -> list[StoredDecision]:
        """Every stored decision, by year."""
        ...

    async def store(self, decision: YearDecision, now: datetime) -> int:
        """Store (or replace) the decision of its year; returns its revision."""
        ...

    async def offices_seq(self) -> int:
        """Grows with every stored change to the agencies (0 when none is stored)."""
        ...

    async def offices(self) -> list[StoredOffice]:
        """Every agency intake published, with its office hours and merge."""
        ...

    async def keep_agencies(self, states: Sequence[AgencyUpdated]) -> None:
        """Keep the newest revision of each agency (an older one arriving late is ignored)."""
        ...


class Outbox(Protocol):
    """Events to publish once the transaction commits."""

    async def stage(self, envelopes: Sequence[Envelope], *, topic: str | None = None) -> None:
        """Stage `envelopes` in order (nothing when there are none), for `topic` if given,
        else each for its own."""
        ...


class TrackingStores(Protocol):
    """The ports of one transaction, opened on the caller's session."""

    def dossiers(self, session: AsyncSession) -> StoredDossiers:
        """The stored dossiers, in `session`'s transaction."""
        ...

    def calendar(self, session: AsyncSession) -> StoredCalendar:
        """The stored calendar, in `session`'s transaction."""
        ...

    def outbox(self, session: AsyncSession) -> Outbox:
        """The outbox, in `session`'s transaction."""
        ...

    async def procedures(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> Procedures:
        """The terms of every catalogue revision the receptions among `envelopes` name;
        raises `ProcedureNotYetKnown` when one has not been read from the catalogue yet."""
        ...
