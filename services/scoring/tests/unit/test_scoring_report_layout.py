"""The progress report's columns, titles and periods, as an office prints them."""

from __future__ import annotations

from datetime import date

from motcua_scoring.domain import PROVINCE, Indicators, ScopeKind, parse_period
from motcua_scoring.domain.reports import (
    REPORT_COLUMNS,
    period_title,
    report_values,
    row_kinds_of,
)


def test_a_week_is_its_monday_to_sunday_range():
    week = parse_period("2026-W47")
    assert (week.first, week.last) == (date(2026, 11, 16), date(2026, 11, 22))
    assert parse_period("2027-W01").first == date(2027, 1, 4)


def test_titles_name_the_period_in_vietnamese():
    assert period_title(parse_period("2026-11-21")) == "Ngày 21/11/2026"
    assert period_title(parse_period("2026-Q4")).startswith("Quý 4/2026 (01/10/2026 – 31/12/2026")
    assert period_title(parse_period("2026")) == "Năm 2026 (01/01/2026 – 31/12/2026)"
    assert period_title(parse_period("2026-W47")) == "Từ ngày 16/11/2026 đến ngày 22/11/2026"


def test_the_columns_add_up_as_printed():
    ind = Indicators(
        PROVINCE,
        parse_period("2026-11"),
        date(2026, 11, 21),
        received=7,
        received_counter=3,
        received_online_full=2,
        received_online_partial=1,
        received_postal=1,
        carried_over=4,
        resolved_early=1,
        resolved_on_time=2,
        resolved_late=3,
        resolved_late_with_apology=2,
        resolved_late_without_apology=1,
        in_progress_within=5,
        in_progress_overdue=2,
    )
    values = report_values(ind)
    assert list(values) == [c.key for c in REPORT_COLUMNS]
    assert values["total"] == 11
    assert values["received_online"] == 3
    assert values["resolved"] == 6
    assert values["in_progress"] == 7


def test_an_office_breaks_down_into_what_it_holds():
    assert row_kinds_of(ScopeKind.PROVINCE)[0] is ScopeKind.AGENCY
    assert row_kinds_of(ScopeKind.AGENCY)[0] is ScopeKind.UNIT
    assert ScopeKind.AGENCY not in row_kinds_of(ScopeKind.AGENCY)
    assert row_kinds_of(ScopeKind.CHANNEL) == ()
