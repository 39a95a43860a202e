"""What a week's plan is made of: offices, procedures, and each dossier's story of steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from motcua_demo.calendar import CUTOFF


@dataclass(frozen=True)
class Procedure:
    """What the simulator needs of a catalogue entry."""

    code: str
    name: str
    working_days: float  # 0 for "within the day"
    step_roles: tuple[str, ...]
    has_fee: bool
    fee_vnd: int
    online_eligible: bool
    late_cutoff: time | None = CUTOFF
    """Received after this, the clock starts the next working day (None: no cut-off)."""

    @property
    def short(self) -> bool:
        """Within the day, a half day, or one or two working days."""
        return self.working_days <= 2


@dataclass(frozen=True)
class Office:
    """An agency with its units by role and the procedures it handles."""

    code: str
    name: str
    units: dict[str, str]
    procedures: tuple[Procedure, ...]


@dataclass(frozen=True)
class Step:
    """One thing that happens to a dossier at the office at `at`.

    `sent_at` is when the counter software uploads it, when later than `at` (an
    offline counter syncing afterwards); every rule judges the step by `at`.
    """

    at: datetime
    dossier: int
    kind: str  # "register" | "event" | "apology"
    body: dict[str, Any]
    sent_at: datetime | None = None

    @property
    def sends_at(self) -> datetime:
        """When the simulator sends it."""
        return self.sent_at or self.at

    @property
    def type(self) -> str:
        """The event type, or `register` / `apology`."""
        return str(self.body.get("type", self.kind))


class Fate(StrEnum):
    """How a dossier's week goes: the plan picks one per dossier, then writes its steps."""

    ORDINARY = "ordinary"
    """Finished early or on time, or still within its deadline at the end."""
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    SUPPLEMENTED = "supplemented"
    """The clock paused for a supplement that came back."""
    SUPPLEMENT_PENDING = "supplement_pending"
    """The clock paused for a supplement still awaited when the week ends."""
    APOLOGY_KEPT = "apology_kept"
    """Form 04 filed before the appointment; finished late, by the new appointment."""
    APOLOGY_BROKEN = "apology_broken"
    """Form 04 filed before the appointment; finished after the new appointment too."""
    APOLOGY_AFTER = "apology_after"
    """Form 04 filed only after the appointment had passed; then finished."""
    UNAPOLOGISED = "unapologised"
    """Finished late without any form 04."""
    OVERDUE_OPEN = "overdue_open"
    """Past its appointment day and still open when the week ends."""
    LATE_UPLOAD = "late_upload"
    """Finished before its appointment at an offline counter that uploads it the next
    working day, after the overdue alert went out."""


LATE_FATES = frozenset(
    {Fate.APOLOGY_KEPT, Fate.APOLOGY_BROKEN, Fate.APOLOGY_AFTER, Fate.UNAPOLOGISED}
)


@dataclass
class Story:
    """A dossier's planned life."""

    number: int
    office: Office
    procedure: Procedure
    channel: str
    received_at: datetime
    appointment: datetime
    """The statutory appointment, with the pauses of supplements that came back."""
    fate: Fate = Fate.ORDINARY
    steps: list[Step] = field(default_factory=list)
    finished_at: datetime | None = None
    ended: str = "open"  # open | finished | refused | withdrawn
    apology: datetime | None = None
    reappointed_to: datetime | None = None
    supplements: int = 0

    @property
    def apology_late(self) -> bool:
        """The apology was filed after the appointment had passed."""
        return self.apology is not None and self.apology > self.appointment
