from datetime import date, datetime

from motcua_tracking.domain.calendar import WorkingCalendar, vietnam_time_zone
from motcua_tracking.domain.calendar_changes import (
    DeadlineChange,
    OpenDeadline,
    changed_days,
    changed_deadlines,
)
from motcua_tracking.domain.clocks import DossierClock
from motcua_tracking.domain.deadlines import ProcedureTerms, ProcessingTime
from motcua_tracking.domain.year_decisions import (
    decision_to_dict,
    load_shipped_decision,
    parse_decision,
)

VN = vietnam_time_zone()
ONE_DAY = ProcedureTerms("P-1", ProcessingTime.working_days(1))


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=VN)


def five_day_national_day(calendar: WorkingCalendar) -> WorkingCalendar:
    amended = decision_to_dict(load_shipped_decision(2026))
    amended["days_off"] = [
        *amended["days_off"][:-1],
        {"from": "2026-08-29", "to": "2026-09-02", "reason": "National Day, five days"},
    ]
    amended["make_up_working_days"] = [{"date": "2026-08-22", "reason": "for Monday 31/08"}]
    return calendar.with_decision(parse_decision(amended))


def test_changed_days_lists_days_that_switch(calendar: WorkingCalendar) -> None:
    new = five_day_national_day(calendar)
    assert changed_days(calendar, new, date(2026, 1, 1), date(2026, 12, 31)) == (
        date(2026, 8, 22),
        date(2026, 8, 31),
    )


def test_only_affected_open_deadlines_change(calendar: WorkingCalendar) -> None:
    new = five_day_national_day(calendar)
    open_deadlines = [
        OpenDeadline("A", DossierClock(at(8, 28, 10), ONE_DAY)),
        OpenDeadline("B", DossierClock(at(8, 21, 10), ONE_DAY)),
        OpenDeadline("C", DossierClock(at(10, 1, 10), ONE_DAY)),
        OpenDeadline("D", DossierClock(at(8, 28, 10), ONE_DAY).suspend(at(8, 28, 11))),
    ]
    assert changed_deadlines(calendar, new, open_deadlines) == (
        DeadlineChange("A", at(8, 31, 10), at(9, 3, 10)),
        DeadlineChange("B", at(8, 24, 10), at(8, 22, 10)),
    )
