"""Working calendars by agency on the current yearly decisions, and loading a new decision.

The decisions in force are the ones shipped with the service, each replaced by a stored
decision of the same year. Every transaction that computes deadlines first makes sure
the book matches the stored revision (under the shared calendar lock).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from motcua_tracking.adapters import agencies as offices_store
from motcua_tracking.adapters import calendars as store
from motcua_tracking.domain import (
    OfficeHours,
    WorkingCalendar,
    YearDecision,
    changed_days,
    load_shipped_decisions,
)
from motcua_tracking.settings import CalendarSettings, OfficeHoursSettings

__all__ = ["CalendarBook", "DecisionInForce", "office_hours"]


def office_hours(settings: OfficeHoursSettings) -> OfficeHours:
    """Domain office hours from settings."""
    return OfficeHours(tuple(settings.periods), settings.cutoff)


@dataclass(frozen=True)
class DecisionInForce:
    """A decision the calendars use, and where it came from."""

    decision: YearDecision
    source: str
    revision: int | None = None
    loaded_at: datetime | None = None


class CalendarBook:
    """The calendar of each agency, all built on the same decisions."""

    def __init__(
        self,
        default_hours: OfficeHours,
        agency_hours: Mapping[str, OfficeHours],
        years: tuple[int, int],
        decisions: tuple[DecisionInForce, ...] | None = None,
        revision: int = -1,
    ) -> None:
        self._default_hours = default_hours
        self._agency_hours = dict(agency_hours)
        # Office hours intake publishes (intake.agencies.v1) win over the configured ones.
        self._published_hours: dict[str, OfficeHours] = {}
        self._published_seq = -1
        self.years = years
        self.revision = revision
        self.in_force = decisions or tuple(
            DecisionInForce(item, "shipped") for item in load_shipped_decisions()
        )
        self._calendars: dict[OfficeHours, WorkingCalendar] = {}

    @classmethod
    def from_settings(cls, settings: CalendarSettings) -> CalendarBook:
        """A book with the configured office hours and the shipped decisions."""
        return cls(
            office_hours(settings.default_hours),
            {code: office_hours(hours) for code, hours in settings.agencies.items()},
            (settings.first_year, settings.last_year),
        )

    @property
    def decisions(self) -> tuple[YearDecision, ...]:
        """The decisions in force, by year."""
        return tuple(item.decision for item in self.in_force)

    def for_agency(self, agency_code: str) -> WorkingCalendar:
        """The calendar of an agency (the default office hours unless configured)."""
        hours = self.hours_for(agency_code)
        calendar = self._calendars.get(hours)
        if calendar is None:
            first, last = self.years
            calendar = WorkingCalendar(hours, self.decisions, first_year=first, last_year=last)
            self._calendars[hours] = calendar
        return calendar

    def hours_for(self, agency_code: str) -> OfficeHours:
        """The office hours of an agency: as intake publishes them, else as configured."""
        published = self._published_hours.get(agency_code)
        return published or self._agency_hours.get(agency_code, self._default_hours)

    def default(self) -> WorkingCalendar:
        """The calendar with the default office hours (days off do not depend on hours)."""
        return self.for_agency("")

    def with_decisions(self, in_force: tuple[DecisionInForce, ...], revision: int) -> CalendarBook:
        """Another book on other decisions, same office hours."""
        return CalendarBook(self._default_hours, self._agency_hours, self.years, in_force, revision)

    def adopt(self, other: CalendarBook) -> None:
        """Take another book's decisions (after they were committed)."""
        self.in_force, self.revision = other.in_force, other.revision
        self._calendars = other._calendars

    async def refresh(self, session: AsyncSession) -> None:
        """Take the shared calendar lock; reload the decisions if another instance changed them."""
        await store.lock_calendar(session)
        current = await store.revision(session)
        if current != self.revision:
            self.adopt(await self.stored(session, current))
        await self._refresh_published(session)

    async def _refresh_published(self, session: AsyncSession) -> None:
        seq = await offices_store.offices_seq(session)
        if seq != self._published_seq:
            stored = await offices_store.offices(session)
            self._published_hours = {o.code: OfficeHours(o.periods, o.cutoff) for o in stored}
            self._published_seq = seq

    async def stored(self, session: AsyncSession, revision: int) -> CalendarBook:
        """The book on the stored decisions over the shipped ones."""
        by_year = {item.decision.year: item for item in self.shipped()}
        for item in await store.stored_decisions(session):
            by_year[item.decision.year] = DecisionInForce(
                item.decision, "loaded", item.revision, item.loaded_at
            )
        return self.with_decisions(tuple(by_year[y] for y in sorted(by_year)), revision)

    @staticmethod
    def shipped() -> tuple[DecisionInForce, ...]:
        """The decisions packaged with the service."""
        return tuple(DecisionInForce(item, "shipped") for item in load_shipped_decisions())

    def changed_days(self, other: CalendarBook, year: int) -> tuple[date, ...]:
        """Days around `year` (the year before to the year after) working in one book only."""
        first_year, last_year = self.years
        first = date(max(year - 1, first_year), 1, 1)
        last = date(min(year + 1, last_year), 12, 31)
        return changed_days(self.default(), other.default(), first, last)
