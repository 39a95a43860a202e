"""Realistic seeded streams for the end-to-end benchmark, as intake import lines.

The demo's planner writes each dossier's story (receptions spread over office hours with
a morning peak, every channel, hand-overs between units, supplements, fees, refusals,
withdrawals, late finishes with and without apology, ratings); a stream is many of its
weeks, or one busy day, turned into NDJSON lines in the order a counter system would
send them:

* `district-year`: 52 working weeks up to last week, the province's offices;
* `province-day`: the last working day before today, every office, busy.

Weeks and days are judged on the shipped working calendar (Tết and the other days off
get no receptions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import orjson

from motcua_demo.calendar import OfficeCalendar
from motcua_demo.scenario import Mix, plan_week
from motcua_demo.stories import Office, Story
from motcua_tracking.domain.calendar import build_calendar

KINDS = ("district-year", "province-day")


@dataclass(frozen=True, slots=True)
class Stream:
    """Import lines and what they hold."""

    name: str
    lines: list[bytes]
    dossiers: int
    first_day: date
    last_day: date


def _calendar(first: date, last: date) -> OfficeCalendar:
    return OfficeCalendar(days_off=frozenset(build_calendar().days_off(first, last)))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def plan(kind: str, offices: list[Office], dossiers: int, seed: int, today: date) -> list[Story]:
    """About `dossiers` stories of the stream `kind`, ending before `today`."""
    if kind == "district-year":
        last_monday = _monday(today) - timedelta(weeks=1)
        first_monday = last_monday - timedelta(weeks=51)
        calendar = _calendar(first_monday, today)
        per_day = max(1, round(dossiers / (52 * 5 * len(offices))))
        stories: list[Story] = []
        for week in range(52):
            monday = first_monday + timedelta(weeks=week)
            planned = plan_week(
                offices, monday, 5, seed + week, Mix(per_office_per_day=per_day), calendar
            )
            stories.extend(_renumbered(planned, len(stories)))
        return stories
    if kind == "province-day":
        calendar = _calendar(today - timedelta(days=30), today)
        day = today - timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
        per_day = max(1, round(dossiers / len(offices)))
        day_plan: list[Story] = plan_week(
            offices, day, 1, seed, Mix(per_office_per_day=per_day), calendar
        )
        return day_plan
    raise ValueError(f"unknown stream {kind!r}; one of {', '.join(KINDS)}")


def _renumbered(stories: list[Story], start: int) -> list[Story]:
    for story in stories:
        story.number += start
        story.steps = [replace(step, dossier=story.number) for step in story.steps]
    return stories


def import_lines(kind: str, stories: list[Story], tag: str, before: date) -> Stream:
    """Each story's steps sent before `before`, as import lines in sending order; the
    dossier codes carry the office's prefix and `tag` (unique per run)."""
    codes = {s.number: f"{s.office.code}-{tag}-{s.number:07d}" for s in stories}
    steps = sorted(
        (step for story in stories for step in story.steps if step.sends_at.date() < before),
        key=lambda step: step.sends_at,
    )
    lines = [_line(step.kind, codes[step.dossier], step.body) for step in steps]
    days = [s.received_at.date() for s in stories]
    return Stream(kind, lines, len(stories), min(days), max(days))


def _line(kind: str, code: str, body: dict[str, object]) -> bytes:
    if kind == "register":
        line: dict[str, object] = {
            "kind": "registration",
            "dossier": {**body, "dossier_code": code},
            "events": [],
        }
    elif kind == "apology":
        line = {"kind": "apology", "dossier_code": code, "apology": body}
    else:
        line = {"kind": "event", "dossier_code": code, "event": body}
    return orjson.dumps(line)
