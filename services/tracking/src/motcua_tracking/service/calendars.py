"""Working calendars by agency on the current yearly decisions, and loading a new decision.

The decisions in force are the ones shipped with the service, each replaced by a stored
decision of the same year. Every transaction that computes deadlines first makes sure
the book matches the stored revision (under the shared calendar lock).

Merged agencies (the rule lives here, `CalendarBook.succession`): from local midnight of
`merged_on` an absorbed agency's dossiers are handled by the absorbing agency, so work
on them from that instant is judged on its office hours and cut-off; before it, on the
absorbed agency's own. Chains are followed (C into A, then A into B). The calendar of
an agency's dossiers (`for_agency`) carries that succession: each deadline is computed
on the hours in force at the instant it counts from, so an appointment already given
is not moved by the merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from motcua_tracking.adapters.agencies import StoredOffice
from motcua_tracking.domain import (
    MergedCalendar,
    OfficeHours,
    WorkingCalendar,
    YearDecision,
    changed_days,
    load_shipped_decisions,
    vietnam_time_zone,
)
from motcua_tracking.service.stores import StoredCalendar
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
        # Merges intake publishes: absorbed agency -> (absorbing agency, local date).
        self._merges: dict[str, tuple[str, date]] = {}
        self._published_seq = -1
        self.years = years
        self.revision = revision
        self.in_force = decisions or tuple(
            DecisionInForce(item, "shipped") for item in load_shipped_decisions()
        )
        self._calendars: dict[OfficeHours, WorkingCalendar] = {}
        self._successions: dict[tuple[tuple[datetime | None, str], ...], WorkingCalendar] = {}

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
        """The calendar of an agency's dossiers: its own office hours (the default unless
        published or configured), and if it was merged, those of the agency handling its
        dossiers at each instant (`succession`; `WorkingCalendar.at`)."""
        succession = self.succession(agency_code)
        if len(succession) == 1:
            return self._hours_calendar(self.hours_for(agency_code))
        found = self._successions.get(succession)
        if found is None:
            found = self._hours_calendar(self.hours_for(agency_code))
            for since, code in succession[1:]:
                assert since is not None
                found = MergedCalendar(found, self._hours_calendar(self.hours_for(code)), since)
            self._successions[succession] = found
        return found

    def succession(self, agency_code: str) -> tuple[tuple[datetime | None, str], ...]:
        """The agencies handling `agency_code`'s dossiers, each from an instant: the agency
        itself from the start (None), then each absorbing agency from local midnight of
        its merge date, following chains (never earlier than the step before it)."""
        found: list[tuple[datetime | None, str]] = [(None, agency_code)]
        since: datetime | None = None
        seen = {agency_code}
        code = agency_code
        while (merge := self._merges.get(code)) is not None and merge[0] not in seen:
            code, day = merge
            midnight = datetime.combine(day, time(), vietnam_time_zone())
            since = midnight if since is None else max(since, midnight)
            found.append((since, code))
            seen.add(code)
        return tuple(found)

    def merged_agencies(self) -> set[str]:
        """The agencies merged into another, as published."""
        return set(self._merges)

    def snapshot(self) -> CalendarBook:
        """This book as it stands (a later refresh does not change it)."""
        return self.with_decisions(self.in_force, self.revision)

    def agency_at(self, agency_code: str, at: datetime) -> str:
        """The agency whose office hours and cut-off apply to `agency_code`'s dossiers at `at`."""
        return next(
            code
            for since, code in reversed(self.succession(agency_code))
            if since is None or since <= at
        )

    def _hours_calendar(self, hours: OfficeHours) -> WorkingCalendar:
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
        """Another book on other decisions, same office hours and merges."""
        book = CalendarBook(self._default_hours, self._agency_hours, self.years, in_force, revision)
        book._published_hours, book._merges = self._published_hours, self._merges
        book._published_seq = self._published_seq
        return book

    def adopt(self, other: CalendarBook) -> None:
        """Take another book's decisions (after they were committed)."""
        self.in_force, self.revision = other.in_force, other.revision
        self._calendars, self._successions = other._calendars, other._successions

    async def refresh(self, calendar: StoredCalendar) -> None:
        """Take the shared calendar lock; reload the decisions if another instance changed
        them, and the agencies if intake published a change."""
        await calendar.lock()
        current = await calendar.revision()
        if current != self.revision:
            self.adopt(await self.stored(calendar, current))
        await self._refresh_published(calendar)

    async def _refresh_published(self, calendar: StoredCalendar) -> None:
        seq = await calendar.offices_seq()
        if seq != self._published_seq:
            self.use_published(await calendar.offices())
            self._published_seq = seq

    def use_published(self, stored: Iterable[StoredOffice]) -> None:
        """Take the agencies as intake published them: office hours, cut-offs, merges."""
        stored = list(stored)
        self._published_hours = {
            o.code: OfficeHours(o.periods, o.cutoff) for o in stored if o.periods
        }
        self._merges = {
            o.code: (o.merged_into, o.merged_on)
            for o in stored
            if o.merged_into is not None and o.merged_on is not None
        }
        self._successions = {}

    async def stored(self, calendar: StoredCalendar, revision: int) -> CalendarBook:
        """The book on the stored decisions over the shipped ones, as of `revision`."""
        by_year = {item.decision.year: item for item in self.shipped()}
        for item in await calendar.decisions():
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
