"""What the indicators and alerts must say, computed from the simulator's own record alone.

Independent of the services: the plan's appointments come from the simulator's own
office calendar, and the rules are the documented defaults (brief, decisions 2, 5, 9):
- a verdict is by working day against the statutory appointment, with the pauses of
  supplements that came back; an apology never moves it;
- a late dossier is late with an apology when form 04 was filed before it ended (in
  time or after the appointment), else without;
- a re-appointment is kept when the dossier ends by the new appointment, else broken;
- a dossier open at the end is overdue when its appointment day is before the last
  played day, and within deadline while the clock is paused for a supplement;
- every rule reads when a step happened at the office, not when it was uploaded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from motcua_demo.calendar import OfficeCalendar
from motcua_demo.simulator import Record
from motcua_demo.stories import Step, Story

__all__ = [
    "COUNTED",
    "Outcome",
    "expected_counts",
    "outcome",
    "standing_overdue_alerts",
    "verdict",
]

COUNTED = (
    "received",
    "refused",
    "withdrawn",
    "finished",
    "supplement_requests",
    "apologies",
    "late_apologies",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "resolved_late_with_apology",
    "resolved_late_without_apology",
    "reappointments_kept",
    "reappointments_broken",
    "in_progress_within",
    "in_progress_overdue",
)
ENDINGS = {"refused", "withdrawn", "processing_finished"}


def verdict(finished: datetime, due: datetime, calendar: OfficeCalendar) -> str:
    """Early, on time or late, by working day."""
    finished_day, due_day = calendar.working_day_of(finished), calendar.working_day_of(due)
    if finished_day < due_day:
        return "resolved_early"
    return "resolved_on_time" if finished_day == due_day else "resolved_late"


@dataclass(frozen=True)
class Outcome:
    """One dossier as the record tells it: how and when it ended (by the office's
    clock), what apology it had, and whether its clock was paused at the end."""

    story: Story
    steps: tuple[Step, ...]
    ended: Step | None
    apology: Step | None
    paused: bool

    @property
    def reappointed_to(self) -> datetime | None:
        if self.apology is None:
            return None
        return datetime.fromisoformat(self.apology.body["new_appointment_at"])


def outcome(story: Story, record: Record) -> Outcome | None:
    """The dossier's outcome from the steps intake accepted (None if never registered)."""
    accepted = sorted(record.accepted(story), key=lambda s: s.at)
    if not accepted or accepted[0].kind != "register":
        return None
    ended = next((s for s in accepted if s.type in ENDINGS), None)
    lived = [s for s in accepted if ended is None or s.at <= ended.at]
    apology = next((s for s in lived if s.kind == "apology"), None)
    pauses = [s.type for s in lived if s.type in {"supplement_requested", "supplement_received"}]
    paused = ended is None and bool(pauses) and pauses[-1] == "supplement_requested"
    return Outcome(story, tuple(accepted), ended, apology, paused)


def expected_counts(
    stories: list[Story],
    record: Record,
    last_day: date,
    calendar: OfficeCalendar | None = None,
) -> dict[str, Counter[str]]:
    """Per agency code, the counts of `COUNTED` the accepted steps imply for a period
    that ends on `last_day` (the as-of day of the in-progress numbers)."""
    calendar = calendar or OfficeCalendar()
    counts: dict[str, Counter[str]] = {}
    for story in stories:
        known = outcome(story, record)
        if known is not None:
            _tally(known, counts.setdefault(story.office.code, Counter()), last_day, calendar)
    return counts


def _tally(known: Outcome, tally: Counter[str], last_day: date, calendar: OfficeCalendar) -> None:
    story = known.story
    tally["received"] += 1
    for step in known.steps:
        if step.type == "supplement_requested":
            tally["supplement_requests"] += 1
        elif step.kind == "apology":
            tally["apologies"] += 1
            tally["late_apologies"] += step.at > story.appointment
    ended = known.ended
    if ended is None:
        overdue = not known.paused and calendar.working_day_of(story.appointment) < last_day
        tally["in_progress_overdue" if overdue else "in_progress_within"] += 1
        return
    kind = ended.type
    tally["finished" if kind == "processing_finished" else kind] += 1
    judged = verdict(ended.at, story.appointment, calendar)
    tally[judged] += 1
    if judged == "resolved_late":
        with_apology = known.apology is not None
        tally[
            "resolved_late_with_apology" if with_apology else "resolved_late_without_apology"
        ] += 1
    if (promised := known.reappointed_to) is not None:
        tally["reappointments_kept" if ended.at <= promised else "reappointments_broken"] += 1


def standing_overdue_alerts(
    stories: list[Story], record: Record, end: datetime, grace: timedelta
) -> set[int]:
    """The dossiers (story numbers) whose overdue alert must stand when the clock stops
    at `end`, after every withdrawal: those still open `grace` after their statutory
    appointment, by the office's clock, when that instant came before `end`.

    A dossier that ended before its appointment has none, whenever its end was
    uploaded; one paused for a supplement at its appointment has none either.
    """
    standing = set()
    for story in stories:
        known = outcome(story, record)
        if known is None:
            continue
        fires = story.appointment + grace
        if fires > end:
            continue
        if known.ended is not None and known.ended.at <= story.appointment:
            continue
        if known.paused:
            continue
        if known.ended is not None and known.ended.at <= fires and known.ended.sends_at <= fires:
            continue
        standing.add(story.number)
    return standing
