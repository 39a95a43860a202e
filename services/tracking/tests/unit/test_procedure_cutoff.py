"""A procedure's late-day cut-off as the contract gives it: None means it has none."""

from datetime import datetime, time
from decimal import Decimal

import pytest

from motcua.events import ProcedureTerms, ProcessingTime
from motcua_tracking.domain import WorkingCalendar, appointment, vietnam_time_zone
from motcua_tracking.service.terms import domain_terms

VN = vietnam_time_zone()
TUESDAY_16H = datetime(2026, 6, 2, 16, 0, tzinfo=VN)


def one_day(late_cutoff: time | None) -> ProcedureTerms:
    return ProcedureTerms(
        code="1.000001",
        name="Chứng thực",
        field="Chứng thực",
        processing_time=ProcessingTime(unit="working_days", amount=Decimal(1)),
        late_cutoff=late_cutoff,
    )


@pytest.mark.parametrize(
    ("late_cutoff", "due"),
    [
        # Counted from 16:00 itself: an hour on Tuesday, seven on Wednesday.
        (None, datetime(2026, 6, 3, 16, 0, tzinfo=VN)),
        # After the 15:00 cut-off the day counts from Wednesday's opening.
        (time(15, 0), datetime(2026, 6, 3, 17, 0, tzinfo=VN)),
        (time(16, 30), datetime(2026, 6, 3, 16, 0, tzinfo=VN)),
    ],
)
def test_a_reception_at_16h_with_one_working_day(
    calendar: WorkingCalendar, late_cutoff: time | None, due: datetime
) -> None:
    terms = domain_terms(one_day(late_cutoff))
    assert appointment(calendar, TUESDAY_16H, terms) == due


def test_without_a_cut_off_a_reception_after_closing_counts_from_the_next_opening(
    calendar: WorkingCalendar,
) -> None:
    terms = domain_terms(one_day(None))
    evening = datetime(2026, 6, 2, 23, 59, 59, 999_999, tzinfo=VN)
    assert appointment(calendar, evening, terms) == datetime(2026, 6, 3, 17, 0, tzinfo=VN)
