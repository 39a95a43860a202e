"""The agencies of the province (compacted topic `intake.agencies.v1`, keyed by agency code).

Each event carries an agency's whole current state, so the newest one per code is all a
reader needs. A retired agency is a state with `retired_at` (never a tombstone): its
code, name and past figures stay readable. A merge retires the absorbed agency with
`merged_into` and `merged_on`; from that local date its dossiers count under the
absorbing agency (docs/indicators.md).
"""

from __future__ import annotations

from datetime import date, time
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from motcua.events.envelope import Envelope, Event
from motcua.events.topics import AGENCIES, TopicSpec

__all__ = ["AgencyUnit", "AgencyUpdated", "OfficePeriod"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class AgencyUnit(_Value):
    """A unit of an agency: counter, specialist division, leadership, liaison."""

    code: str
    name: str
    role: str
    """one_stop, specialist, leader or external."""


class OfficePeriod(_Value):
    """One stretch of office hours in a working day (local time)."""

    start: time
    end: time


class AgencyUpdated(Event):
    """An agency was created, renamed, reorganised, merged or retired: its whole state."""

    event_type: ClassVar[str] = "directory.agency-updated"
    topic: ClassVar[TopicSpec] = AGENCIES

    code: str
    name: str
    level: Literal["province", "district", "commune"]
    """District agencies exist only in history (the level was abolished on 01/07/2025)."""
    kind: str
    """service_centre, department, commune or district."""
    parent: str | None = None
    units: tuple[AgencyUnit, ...] = ()
    office_hours: tuple[OfficePeriod, ...] = ()
    """Empty: each reader's default office hours."""
    late_cutoff: time | None = time(15, 0)
    """A reception after this time counts from the next working day (a procedure's own
    cut-off wins); None: no cut-off."""
    procedures: tuple[str, ...] = ()
    retired_at: AwareDatetime | None = None
    """From this instant the agency takes no new dossier; its history stays."""
    merged_into: str | None = None
    merged_on: date | None = None
    """The local date from which the absorbing agency counts this agency's dossiers."""
    revision: int = Field(default=1, ge=1)

    def partition_key(self, envelope: Envelope) -> str:
        """Keyed by agency code so compaction keeps the latest state."""
        return self.code
