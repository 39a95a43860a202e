from datetime import datetime, timedelta

from motcua_tracking.domain.attribution import StepRun, attribute_lateness
from motcua_tracking.domain.calendar import WorkingCalendar, vietnam_time_zone
from motcua_tracking.domain.deadlines import ProcessingTime

VN = vietnam_time_zone()
HALF = ProcessingTime.working_days("0.5")
ONE = ProcessingTime.working_days(1)


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=VN)


RUNS = (
    StepRun("TD", "land office", ONE, at(3, 14), at(5, 10)),
    StepRun("TN", "one-stop", HALF, at(3, 10), at(3, 14)),
    StepRun("KY", "leadership", HALF, at(5, 10), at(6, 11)),
)


def test_the_first_unit_that_overran_is_responsible(calendar: WorkingCalendar) -> None:
    attribution = attribute_lateness(calendar, RUNS, now=at(7, 9))
    assert attribution.responsible_unit == "land office"
    assert attribution.units == ("land office", "leadership")
    land = attribution.overruns[0]
    assert land.allotted == timedelta(hours=8)
    assert land.used == timedelta(hours=13, minutes=30)
    assert land.excess == timedelta(hours=5, minutes=30)


def test_an_open_step_is_judged_at_now(calendar: WorkingCalendar) -> None:
    running = (StepRun("TD", "land office", ONE, at(3, 14)),)
    assert attribute_lateness(calendar, running, now=at(4, 13)).responsible_unit is None
    assert attribute_lateness(calendar, running, now=at(4, 15)).responsible_unit == "land office"


def test_nobody_is_responsible_when_every_step_kept_its_allotment(
    calendar: WorkingCalendar,
) -> None:
    runs = (StepRun("TN", "one-stop", HALF, at(3, 10), at(3, 14)),)
    assert attribute_lateness(calendar, runs, now=at(7, 9)).responsible_unit is None


def test_within_the_day_steps_end_at_closing(calendar: WorkingCalendar) -> None:
    within = ProcessingTime.within_day()
    kept = (StepRun("TN", "one-stop", within, at(3, 9), at(3, 17)),)
    overran = (StepRun("TN", "one-stop", within, at(3, 9), at(4, 8)),)
    assert attribute_lateness(calendar, kept, now=at(7, 9)).overruns == ()
    assert attribute_lateness(calendar, overran, now=at(7, 9)).responsible_unit == "one-stop"
