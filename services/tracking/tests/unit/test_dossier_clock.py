from datetime import datetime

import pytest
from tracking_scenario import VN

from motcua_tracking.domain.calendar import WorkingCalendar
from motcua_tracking.domain.clocks import (
    ApologyRejected,
    ClockError,
    DossierClock,
    SupplementPolicy,
)
from motcua_tracking.domain.deadlines import ProcedureTerms, ProcessingTime

THREE_DAYS = ProcedureTerms("P-1", ProcessingTime.working_days(3))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=VN)


def clock(policy: SupplementPolicy = SupplementPolicy.PAUSE) -> DossierClock:
    return DossierClock(at(3, 3, 10), THREE_DAYS, policy)


def test_a_running_clock_is_due_at_the_appointment(calendar: WorkingCalendar) -> None:
    assert clock().due(calendar) == at(3, 6, 10)
    assert clock().promised(calendar) is None


def test_pause_moves_the_due_time_by_the_paused_office_time(calendar: WorkingCalendar) -> None:
    waiting = clock().suspend(at(3, 4, 10))
    assert waiting.is_suspended
    assert waiting.due(calendar) is None
    assert waiting.resume(at(3, 5, 10)).due(calendar) == at(3, 7, 10)


def test_a_pause_over_a_weekend_counts_office_time_only(calendar: WorkingCalendar) -> None:
    resumed = clock().suspend(at(3, 5, 16)).resume(at(3, 10, 8, 30))
    # 18 office hours paused (Wed 1, Thu 8, Fri 8, Mon 1) moves Thu 10:00 to Mon 13:30
    assert resumed.due(calendar) == at(3, 10, 13, 30)


def test_restart_counts_the_full_period_from_the_complete_dossier(
    calendar: WorkingCalendar,
) -> None:
    resumed = clock(SupplementPolicy.RESTART).suspend(at(3, 4, 10)).resume(at(3, 5, 10))
    assert resumed.due(calendar) == at(3, 10, 10)


def test_restart_applies_the_cutoff_to_the_new_receipt(calendar: WorkingCalendar) -> None:
    resumed = clock(SupplementPolicy.RESTART).suspend(at(3, 4, 10)).resume(at(3, 5, 16))
    assert resumed.due(calendar) == at(3, 10, 17)


def test_several_pauses_add_up(calendar: WorkingCalendar) -> None:
    twice = (
        clock().suspend(at(3, 3, 13)).resume(at(3, 3, 14)).suspend(at(3, 4, 8)).resume(at(3, 4, 9))
    )
    assert twice.due(calendar) == at(3, 6, 13, 30)  # two hours, across the lunch break


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda c: c.resume(at(3, 4, 10)), "no supplement request is pending"),
        (lambda c: c.suspend(at(3, 4, 10)).suspend(at(3, 4, 11)), "already pending"),
        (lambda c: c.suspend(at(3, 4, 10)).resume(at(3, 4, 9)), "before it was requested"),
        (lambda c: c.suspend(at(3, 1, 10)), "cannot precede"),
    ],
)
def test_clock_misuse_is_refused(operation: object, message: str) -> None:
    with pytest.raises(ClockError, match=message):
        operation(clock())  # type: ignore[operator]


def test_an_apology_sets_a_new_appointment_once(calendar: WorkingCalendar) -> None:
    reappointed = clock().reappoint(calendar, at(3, 12, 17), at(3, 5, 8), "site visit needed")
    assert isinstance(reappointed, DossierClock)
    assert reappointed.promised(calendar) == at(3, 12, 17)
    assert reappointed.due(calendar) == at(3, 6, 10)  # the statutory appointment stays
    assert reappointed.reappointment is not None
    assert not reappointed.reappointment.issued_late
    second = reappointed.reappoint(calendar, at(3, 20, 17), at(3, 11, 8), "again")
    assert isinstance(second, ApologyRejected)
    assert "already re-appointed once" in second.reason


def test_an_apology_after_the_appointment_is_accepted_and_flagged_late(
    calendar: WorkingCalendar,
) -> None:
    reappointed = clock().reappoint(calendar, at(3, 12, 17), at(3, 7, 9), "late appraisal")
    assert isinstance(reappointed, DossierClock)
    assert reappointed.reappointment is not None
    assert reappointed.reappointment.issued_late


@pytest.mark.parametrize(
    ("due", "reason", "message"),
    [
        (at(3, 6, 10), "reason", "must be later than the current one"),
        (at(3, 12, 17), "  ", "must state the reason"),
    ],
)
def test_an_apology_that_does_not_extend_is_rejected(
    calendar: WorkingCalendar, due: datetime, reason: str, message: str
) -> None:
    result = clock().reappoint(calendar, due, at(3, 5, 8), reason)
    assert isinstance(result, ApologyRejected)
    assert message in result.reason


def test_no_apology_while_waiting_for_the_citizen(calendar: WorkingCalendar) -> None:
    result = clock().suspend(at(3, 4, 10)).reappoint(calendar, at(3, 12, 17), at(3, 4, 11), "x")
    assert isinstance(result, ApologyRejected)
    assert "supplement request is pending" in result.reason


def test_a_pause_after_a_reappointment_moves_the_new_appointment(
    calendar: WorkingCalendar,
) -> None:
    reappointed = clock().reappoint(calendar, at(3, 12, 10), at(3, 5, 8), "reason")
    assert isinstance(reappointed, DossierClock)
    paused = reappointed.suspend(at(3, 10, 10)).resume(at(3, 11, 10))
    assert paused.promised(calendar) == at(3, 13, 10)
    assert paused.due(calendar) == at(3, 7, 10)


def test_restart_never_shortens_a_reappointment(calendar: WorkingCalendar) -> None:
    reappointed = clock(SupplementPolicy.RESTART).reappoint(
        calendar, at(3, 28, 17), at(3, 5, 8), "reason"
    )
    assert isinstance(reappointed, DossierClock)
    restarted = reappointed.suspend(at(3, 6, 10)).resume(at(3, 7, 10))
    assert restarted.promised(calendar) == at(3, 28, 17)
    assert restarted.due(calendar) == at(3, 12, 10)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        DossierClock(datetime(2025, 3, 3, 10), THREE_DAYS)
