"""The week's plan shows lateness as it is, and the simulator's own record says exactly
what the indicators and alerts must be."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from motcua_demo.calendar import VIETNAM, OfficeCalendar
from motcua_demo.expected import expected_counts, outcome, standing_overdue_alerts
from motcua_demo.fates import Week
from motcua_demo.scenario import Mix, plan_week
from motcua_demo.simulator import Record
from motcua_demo.stories import Fate, Office, Procedure, Story
from motcua_demo.volumes import daily_volumes

ROLES = ("one_stop", "specialist", "leader", "one_stop")


def procedure(code: str, days: float, fee: bool = True) -> Procedure:
    return Procedure(code, f"Thủ tục {code}", days, ROLES, fee, 20000 if fee else 0, True)


WARD_UNITS = {"one_stop": "PX.TN", "specialist": "PX.VP", "leader": "PX.LD"}
WARD = Office(
    "PX",
    "UBND phường X",
    WARD_UNITS,
    (
        procedure("1.001193", 0, fee=False),
        procedure("2.000635", 0.5),
        procedure("2.000884", 0.5),
        procedure("2.000913", 2),
        procedure("1.001022", 3),
        procedure("1.009994", 15),
    ),
)
COMMUNE = Office(
    "XY",
    "UBND xã Y",
    {"one_stop": "XY.TN", "specialist": "XY.VP", "leader": "XY.LD"},
    WARD.procedures,
)
DEPARTMENT = Office(
    "SZ",
    "Sở Z",
    {"one_stop": "SZ.MC", "specialist": "SZ.CM", "leader": "SZ.BGD"},
    (procedure("2.001417", 10), procedure("1.001877", 20, fee=False)),
)
PROVINCE = [WARD, COMMUNE, DEPARTMENT]
MONDAY = date(2026, 6, 1)
WEEK = Week(OfficeCalendar(), tuple(MONDAY + timedelta(days=i) for i in range(5)))


def played(stories: list[Story], week: Week = WEEK) -> Record:
    """A record in which intake accepted every step sent before the clock stopped."""
    record = Record()
    for story in stories:
        for step in story.steps:
            if step.sends_at < week.end:
                record.sent.append((step, "ok"))
    return record


def day(at: datetime) -> date:
    return at.astimezone(VIETNAM).date()


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_offices_receive_very_different_volumes_drawn_from_the_seed(seed: int) -> None:
    import random

    offices = [
        *PROVINCE,
        *(Office(f"D{i}", "Sở", DEPARTMENT.units, DEPARTMENT.procedures) for i in range(4)),
    ]
    volumes = daily_volumes(random.Random(seed), offices, WEEK.days, 12)
    weekly = {code: sum(days) for code, days in volumes.items()}
    assert max(weekly.values()) >= 4 * min(weekly.values())
    assert sum(weekly.values()) == pytest.approx(12 * len(offices) * 5, rel=0.3)
    assert all(total > 0 for total in weekly.values())
    assert volumes == daily_volumes(random.Random(seed), offices, WEEK.days, 12)


@pytest.mark.parametrize("days", [3, 5])
def test_every_week_shows_each_kind_of_lateness(days: int) -> None:
    stories = plan_week(PROVINCE, MONDAY, days, seed=11, mix=Mix(per_office_per_day=8))
    fates = Counter(story.fate for story in stories)
    for fate, at_least in Mix().at_least.items():
        assert fates[fate] >= at_least, fate


def test_late_stories_run_late_inside_the_week() -> None:
    stories = plan_week(PROVINCE, MONDAY, 5, seed=12)
    late = [
        s
        for s in stories
        if s.fate in {Fate.APOLOGY_KEPT, Fate.APOLOGY_BROKEN, Fate.APOLOGY_AFTER, Fate.UNAPOLOGISED}
    ]
    assert late
    for story in late:
        assert story.procedure.short
        assert story.finished_at is not None and story.finished_at < WEEK.end
        assert day(story.finished_at) > day(story.appointment)
        if story.fate is Fate.UNAPOLOGISED:
            assert story.apology is None
            continue
        assert story.apology is not None and story.reappointed_to is not None
        assert story.reappointed_to > story.appointment and story.reappointed_to > story.apology
        assert (story.apology > story.appointment) is (story.fate is Fate.APOLOGY_AFTER)
        kept = story.finished_at <= story.reappointed_to
        assert kept is (story.fate is not Fate.APOLOGY_BROKEN)
        if not kept:
            assert day(story.finished_at) > day(story.reappointed_to)


def test_an_offline_counter_uploads_a_finish_that_happened_before_the_appointment() -> None:
    stories = plan_week(PROVINCE, MONDAY, 5, seed=13)
    uploads = [s for s in stories if s.fate is Fate.LATE_UPLOAD]
    assert uploads
    for story in uploads:
        finish = next(s for s in story.steps if s.type == "processing_finished")
        assert finish.at < story.appointment
        assert finish.sent_at is not None and day(finish.sent_at) > day(story.appointment)
        later = story.steps[story.steps.index(finish) :]
        assert all(s.sends_at >= finish.sends_at for s in later)


def test_the_record_gives_every_new_figure_somewhere() -> None:
    stories = plan_week(PROVINCE, MONDAY, 5, seed=14)
    counts = expected_counts(stories, played(stories), WEEK.last_day)
    province = sum(counts.values(), Counter())
    for figure in (
        "resolved_early",
        "resolved_on_time",
        "resolved_late_with_apology",
        "resolved_late_without_apology",
        "reappointments_kept",
        "reappointments_broken",
        "in_progress_within",
        "in_progress_overdue",
        "late_apologies",
    ):
        assert province[figure] > 0, figure
    assert province["resolved_late"] == (
        province["resolved_late_with_apology"] + province["resolved_late_without_apology"]
    )
    assert province["received"] == len(stories)


def test_an_apology_never_erases_lateness_and_pending_supplements_are_within_deadline() -> None:
    stories = plan_week(PROVINCE, MONDAY, 5, seed=15)
    record = played(stories)
    for story in stories:
        known = outcome(story, record)
        assert known is not None
        if story.fate in {Fate.APOLOGY_KEPT, Fate.APOLOGY_BROKEN, Fate.APOLOGY_AFTER}:
            assert known.ended is not None and known.apology is not None
        if story.fate is Fate.SUPPLEMENT_PENDING:
            assert known.ended is None and known.paused


def test_alerts_stand_only_for_dossiers_still_open_after_their_appointment() -> None:
    stories = plan_week(PROVINCE, MONDAY, 5, seed=16)
    standing = standing_overdue_alerts(stories, played(stories), WEEK.end, timedelta(minutes=30))
    by_number = {s.number: s for s in stories}
    fates = Counter(by_number[n].fate for n in standing)
    assert fates[Fate.UNAPOLOGISED] and fates[Fate.APOLOGY_KEPT] and fates[Fate.OVERDUE_OPEN]
    for story in stories:
        if story.fate in {Fate.LATE_UPLOAD, Fate.SUPPLEMENT_PENDING, Fate.REFUSED}:
            assert story.number not in standing
