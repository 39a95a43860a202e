"""A seeded simulator run: the indicators and alerts equal what the simulator's own
record implies.

Three working days of three offices of very different sizes, with dossiers finished
late with and without form 04, re-appointments kept and broken, dossiers still open
past their appointment, supplements still awaited, and a finish an offline counter
uploads the day after its appointment (tracking's overdue alert must be withdrawn).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from motcua.events import DossierOverdue, Envelope
from motcua_demo.calendar import OfficeCalendar
from motcua_demo.expected import COUNTED, expected_counts, outcome, standing_overdue_alerts
from motcua_demo.fates import Week
from motcua_demo.intake import IntakeClient
from motcua_demo.scenario import Mix, plan_week
from motcua_demo.simulator import Record, Simulator
from motcua_demo.stories import Fate, Step, Story

pytestmark = pytest.mark.infra
MONDAY = date(2026, 6, 1)
DAYS = 3
AGENCIES = {"STP", "PVIETTRI", "XLAMTHAO"}
OVERDUE = "tracking.overdue"


async def test_a_simulated_week_gives_exactly_the_independently_computed_numbers(
    province,
) -> None:
    intake = IntakeClient(province.clients["intake"], province.admin_key)
    offices = [o for o in await intake.offices() if o.code in AGENCIES]
    stories = plan_week(offices, MONDAY, DAYS, seed=20260601, mix=Mix(per_office_per_day=6))
    week = Week(OfficeCalendar(), tuple(MONDAY + timedelta(days=i) for i in range(DAYS)))
    fates = Counter(story.fate for story in stories)
    assert all(fates[fate] >= n for fate, n in Mix().at_least.items()), fates
    simulator = Simulator(intake, province.clock, speed=1)

    async def before(step: Step) -> None:
        # An offline counter's upload comes after tracking has sent the overdue alert
        # it proves wrong: wait for that alert, as the hours between would have.
        if step.sent_at is not None and step.type == "processing_finished":
            await province.tracking_events(simulator.record.codes[step.dossier], OVERDUE)

    record = await simulator.step_through(
        stories, week.end, lambda at: province.clock.set(at + timedelta(seconds=1)), before
    )
    assert not record.errors, record.examples
    expected = expected_counts(stories, record, week.last_day)
    assert set(expected) == AGENCIES
    period = f"{MONDAY.isoformat()}..{week.last_day.isoformat()}"

    wanted = {a: {k: counts[k] for k in COUNTED} for a, counts in expected.items()}
    seen: dict[str, dict[str, int]] = {}

    # Counts settle at different times (an apology goes intake → tracking → scoring):
    # wait for all of them, then compare what was last seen.
    async def settled() -> bool:
        for a in expected:
            figures = await province.indicators(f"agency:{a}", period)
            seen[a] = {k: figures[k] for k in COUNTED}
        return seen == wanted

    with contextlib.suppress(AssertionError):
        await province.eventually(settled, within=60)
    for agency in expected:
        assert seen[agency] == wanted[agency], agency
    province_wide = sum(expected.values(), Counter())
    for figure in (
        "resolved_late_with_apology",
        "resolved_late_without_apology",
        "reappointments_kept",
        "reappointments_broken",
        "in_progress_within",
        "in_progress_overdue",
    ):
        assert province_wide[figure] > 0, figure

    await _alerts_stand_as_the_record_says(province, stories, record, week)


async def _alerts_stand_as_the_record_says(
    province, stories: list[Story], record: Record, week: Week
) -> None:
    """Once withdrawals settle, the dossiers' overdue alerts standing are exactly those
    the record implies, and no overdue alert stands for a step or dossier that ended
    before its due time."""
    grace = province.alert_grace
    numbers = {code: number for number, code in record.codes.items()}
    wanted = {record.codes[n] for n in standing_overdue_alerts(stories, record, week.end, grace)}
    by_code = {record.codes[s.number]: s for s in stories if s.number in record.codes}
    seen: set[str] = set()

    async def settled() -> bool:
        standing = province.standing_alerts(OVERDUE)
        seen.clear()
        seen.update(
            e.dossier_code
            for e in standing
            if isinstance(e.data, DossierOverdue) and e.data.scope == "dossier"
        )
        return seen == wanted

    with contextlib.suppress(AssertionError):
        await province.eventually(settled, within=30)
    assert seen == wanted, [_told(by_code[code], record) for code in seen ^ wanted]
    withdrawn = province.withdrawn_alerts()
    uploads = {record.codes[s.number] for s in stories if s.fate is Fate.LATE_UPLOAD}
    assert uploads and uploads <= {e.dossier_code for e in withdrawn}
    for alert in province.standing_alerts(OVERDUE):
        story = by_code[alert.dossier_code]
        assert numbers[alert.dossier_code] == story.number
        _alert_is_true(alert, story, record)


def _told(story: Story, record: Record) -> str:
    """A story as the record tells it, for a failure message."""
    steps = ", ".join(
        f"{s.type}@{s.at:%a %H:%M}" + (f"(sent {s.sent_at:%a %H:%M})" if s.sent_at else "")
        for s in sorted(record.accepted(story), key=lambda s: s.at)
    )
    due = f"{story.appointment:%a %H:%M}"
    return f"{record.codes[story.number]} {story.fate} {story.procedure.code} due {due}: {steps}"


def _alert_is_true(alert: Envelope, story: Story, record: Record) -> None:
    """The alert's subject was still open (dossier) or still with the unit (step) at
    the alert's due time, by the office's clock."""
    known = outcome(story, record)
    assert known is not None and isinstance(alert.data, DossierOverdue)
    due = alert.data.due_at
    if known.ended is not None:
        assert known.ended.at > due, (alert.dossier_code, alert.data)
    if alert.data.scope == "step":
        holdings = _holdings(known.steps, alert.data.unit_code)
        assert any(start <= due < end for start, end in holdings), (alert.dossier_code, alert.data)


def _holdings(steps: tuple[Step, ...], unit: str) -> Iterator[tuple[datetime, datetime]]:
    """The intervals during which `unit` held the dossier (open-ended at the end)."""
    holder, since = steps[0].body["unit_code"], steps[0].at
    for step in steps[1:]:
        if step.type == "transferred":
            if holder == unit:
                yield since, step.at
            holder, since = step.body["to_unit"], step.at
        elif step.type in {"refused", "withdrawn", "processing_finished"}:
            if holder == unit:
                yield since, step.at
            return
    if holder == unit:
        yield since, datetime.max.replace(tzinfo=since.tzinfo)
