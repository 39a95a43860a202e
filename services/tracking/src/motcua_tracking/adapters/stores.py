"""The tracking use cases' stores on PostgreSQL, in the caller's session and transaction.

`SqlStores` opens each port of `motcua_tracking.service.stores` on a session: the
dossiers (`DossierStore`), the calendar (decisions, agencies, the calendar lock), the
shared outbox and the catalogue revisions the service keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import Procedures, procedures_for
from motcua.events import AgencyUpdated, Envelope
from motcua.messaging import stage
from motcua_tracking.adapters import agencies, calendars
from motcua_tracking.adapters.agencies import StoredOffice
from motcua_tracking.adapters.calendars import StoredDecision
from motcua_tracking.adapters.dossiers import DossierStore
from motcua_tracking.domain import YearDecision

__all__ = ["SqlCalendar", "SqlOutbox", "SqlStores"]


class SqlCalendar:
    """The stored calendar of one transaction: `calendar_decisions`, `agency_offices`
    and the calendar's advisory lock."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, *, exclusive: bool = False) -> None:
        """Take the calendar lock for the rest of the transaction (shared unless told)."""
        await calendars.lock_calendar(self._session, exclusive=exclusive)

    async def revision(self) -> int:
        """The revision of the newest stored decision (0 when none is stored)."""
        return await calendars.revision(self._session)

    async def decisions(self) -> list[StoredDecision]:
        """Every stored decision, by year."""
        return await calendars.stored_decisions(self._session)

    async def store(self, decision: YearDecision, now: datetime) -> int:
        """Store (or replace) the decision of its year; returns its revision."""
        return await calendars.store_decision(self._session, decision, now)

    async def offices_seq(self) -> int:
        """Grows with every stored change to the agencies (0 when none is stored)."""
        return await agencies.offices_seq(self._session)

    async def offices(self) -> list[StoredOffice]:
        """Every agency intake published, with its office hours and merge."""
        return await agencies.offices(self._session)

    async def keep_agencies(self, states: Sequence[AgencyUpdated]) -> None:
        """Keep the newest revision of each agency (an older one arriving late is ignored)."""
        await agencies.keep_agencies(self._session, states)


class SqlOutbox:
    """The service's outbox table, written in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def stage(self, envelopes: Sequence[Envelope], *, topic: str | None = None) -> None:
        """Stage `envelopes` in order (nothing when there are none), for `topic` if given,
        else each for its own."""
        await stage(self._session, *envelopes, topic=topic)


class SqlStores:
    """The ports of a transaction on the service's PostgreSQL database."""

    def dossiers(self, session: AsyncSession) -> DossierStore:
        """The stored dossiers, in `session`'s transaction."""
        return DossierStore(session)

    def calendar(self, session: AsyncSession) -> SqlCalendar:
        """The stored calendar, in `session`'s transaction."""
        return SqlCalendar(session)

    def outbox(self, session: AsyncSession) -> SqlOutbox:
        """The outbox, in `session`'s transaction."""
        return SqlOutbox(session)

    async def procedures(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> Procedures:
        """The terms of every catalogue revision the receptions among `envelopes` name."""
        return await procedures_for(session, envelopes)
