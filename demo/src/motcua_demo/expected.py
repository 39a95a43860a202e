"""What the indicators must say, computed from the simulator's own record alone.

Independent of the services: the plan's appointments come from the simulator's own
office calendar, and the rules are the documented defaults (verdict by working day;
the clock paused while the citizen completes the dossier; an apology accepted before
the appointment sets the one the verdict is judged against).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from motcua_demo.calendar import OfficeCalendar
from motcua_demo.scenario import Story
from motcua_demo.simulator import Record

COUNTED = (
    "received",
    "refused",
    "withdrawn",
    "finished",
    "supplement_requests",
    "apologies",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
)


def verdict(finished: datetime, due: datetime, calendar: OfficeCalendar) -> str:
    """Early, on time or late, by working day."""
    finished_day, due_day = calendar.working_day_of(finished), calendar.working_day_of(due)
    if finished_day < due_day:
        return "resolved_early"
    return "resolved_on_time" if finished_day == due_day else "resolved_late"


def expected_counts(
    stories: list[Story], record: Record, calendar: OfficeCalendar | None = None
) -> dict[str, Counter[str]]:
    """Per agency code, the counts of `COUNTED` the simulator's accepted steps imply."""
    calendar = calendar or OfficeCalendar()
    counts: dict[str, Counter[str]] = {}
    for story in stories:
        accepted = record.accepted(story)
        if not accepted or accepted[0].kind != "register":
            continue
        tally = counts.setdefault(story.office.code, Counter())
        tally["received"] += 1
        due = story.appointment
        for step in accepted:
            kind = step.body.get("type", step.kind)
            if kind == "supplement_requested":
                tally["supplement_requests"] += 1
            elif kind == "apology":
                tally["apologies"] += 1
                new = datetime.fromisoformat(step.body["new_appointment_at"])
                due = new if step.at <= story.appointment else due
            elif kind in {"refused", "withdrawn", "processing_finished"}:
                tally["finished" if kind == "processing_finished" else kind] += 1
                late_apology = story.apology is not None and story.apology_late
                outcome = verdict(step.at, due, calendar)
                tally["resolved_late" if late_apology else outcome] += 1
    return counts
