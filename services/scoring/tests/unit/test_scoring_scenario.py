from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from fractions import Fraction

import pytest
from scoring_scenario import NOW, UPDATES, dossiers, local

from motcua_scoring.domain.counters import CounterKey, contributions, counters, tally
from motcua_scoring.domain.facts import apply
from motcua_scoring.domain.formulas import decision766, progress_points_received_variant, rates
from motcua_scoring.domain.indicators import Indicators, count, evaluate
from motcua_scoring.domain.periods import (
    Period,
    day_period,
    month_period,
    quarter_period,
    range_period,
    year_period,
)
from motcua_scoring.domain.scopes import PROVINCE, Scope, ScopeKind

STP = Scope(ScopeKind.AGENCY, "STP")


def both(scope: Scope, period: Period) -> Indicators:
    """The reference count, after checking the counter table gives the same."""
    facts = dossiers()
    reference = count(facts, scope, period, NOW)
    assert evaluate(tally(facts), scope, period, NOW) == reference
    return reference


def test_november_for_the_agency() -> None:
    ind = both(STP, month_period(2026, 11))

    assert ind == Indicators(
        scope=STP,
        period=month_period(2026, 11),
        as_of=date(2026, 11, 21),
        received=4,
        received_counter=1,
        received_online_full=1,
        received_online_partial=1,
        received_postal=1,
        received_digitised=2,
        with_obligation=2,
        paid_online=1,
        carried_over=2,
        resolved_early=1,
        resolved_on_time=1,
        resolved_late=1,
        resolved_late_without_apology=1,  # D9: late, no apology known
        in_progress_within=1,
        in_progress_overdue=1,
        refused=1,
        withdrawn=1,
        returned=1,
        finished=3,
        e_results=1,
        supplement_requests=1,
        apologies=1,
        late_apologies=1,
        rated=1,
        rating_sum=5,
        satisfied=1,
        complaints=0,
        complaints_or_dislikes=0,
        processing_millidays=20_500,
        processing_histogram=((3, 1), (8, 1), (30, 1)),
    )


def test_november_rates_for_the_agency() -> None:
    r = rates(both(STP, month_period(2026, 11)))

    assert (r.early, r.on_time, r.late) == (Fraction(1, 3), Fraction(2, 3), Fraction(1, 3))
    assert r.on_time_over_received == Fraction(2, 4)
    assert (r.online, r.full_online) == (Fraction(1, 2), Fraction(1, 4))
    assert (r.online_payment, r.digitised, r.e_result) == (
        Fraction(1, 2),
        Fraction(1, 2),
        Fraction(1, 3),
    )
    assert (r.average_score, r.satisfied) == (Fraction(5), Fraction(1))
    assert r.average_processing_days == Fraction(41, 6)
    assert r.p90_processing_days == Fraction(15)
    assert r.progress == Fraction(3, 5)
    assert r.processing_satisfaction == Fraction(2, 3)


def test_november_decision_766_for_the_agency() -> None:
    ind = both(STP, month_period(2026, 11))
    groups = {group.name: group for group in decision766(ind).groups}

    assert groups["transparency"].points is None
    assert groups["progress"].points == 12
    assert progress_points_received_variant(ind) == 10
    assert (groups["online"].points, groups["online"].scored_max) == (5, 8)
    assert (groups["payment"].points, groups["payment"].scored_max) == (3, 6)
    digitisation = groups["digitisation"]
    assert (digitisation.points, digitisation.scored_max) == (Fraction(9, 2), 10)
    assert digitisation.scaled == Fraction(99, 10)
    assert groups["satisfaction"].points == Fraction(40, 9) + 12
    assert decision766(ind).points == 12 + 5 + 3 + Fraction(9, 2) + Fraction(40, 9) + 12


def test_a_dossier_received_at_2359_on_31_october_belongs_to_october() -> None:
    october = both(STP, month_period(2026, 10))
    november = both(STP, month_period(2026, 11))

    assert october.received == 2  # D1 at 23:59 and D9
    assert both(STP, day_period(date(2026, 10, 31))).received == 1
    assert both(STP, day_period(date(2026, 11, 1))).received == 0
    assert (october.in_progress_within, october.in_progress_overdue) == (1, 1)
    assert november.carried_over == 2  # D1 and D9, both resolved in November
    assert november.resolved_early == 1  # D1 counts where it finished


def test_a_dossier_received_in_q3_is_resolved_in_q4() -> None:
    q3 = both(STP, quarter_period(2026, 3))
    q4 = both(STP, quarter_period(2026, 4))

    assert (q3.received, q3.resolved, q3.in_progress_within) == (1, 0, 1)
    assert q3.as_of == date(2026, 9, 30)
    assert (q4.received, q4.carried_over) == (6, 1)
    assert (q4.resolved_early, q4.resolved_on_time, q4.resolved_late) == (1, 1, 2)
    assert (q4.in_progress_within, q4.in_progress_overdue) == (1, 1)
    assert q4.as_of == date(2026, 11, 21)


def test_october_closes_with_one_overdue_and_one_within_deadline() -> None:
    october = both(STP, month_period(2026, 10))

    assert october.as_of == date(2026, 10, 31)
    assert (october.carried_over, october.resolved_late) == (1, 1)
    assert october.processing_histogram == ((7, 1),)


def test_the_first_day_of_november_carries_over_two() -> None:
    first = both(STP, day_period(date(2026, 11, 1)))

    assert (first.carried_over, first.in_progress_within, first.in_progress_overdue) == (2, 1, 1)


def test_year_and_range_periods() -> None:
    year = both(STP, year_period(2026))
    first_three_weeks = both(STP, range_period(date(2026, 11, 1), date(2026, 11, 21)))

    assert (year.received, year.carried_over, year.resolved) == (7, 0, 4)
    assert first_three_weeks == replace(
        both(STP, month_period(2026, 11)), period=first_three_weeks.period
    )


def test_the_transfer_moves_the_dossier_to_its_new_unit() -> None:
    unit_a = both(Scope(ScopeKind.UNIT, "A"), month_period(2026, 11))
    unit_b = both(Scope(ScopeKind.UNIT, "B"), month_period(2026, 11))

    assert (unit_a.received, unit_b.received) == (3, 1)
    assert (unit_b.in_progress_within, unit_b.carried_over, unit_b.resolved_late) == (1, 1, 1)


def test_the_province_includes_the_second_agency() -> None:
    province = both(PROVINCE, month_period(2026, 11))

    assert (province.received, province.resolved_on_time) == (5, 2)
    assert (province.rated, province.rating_sum, province.satisfied) == (2, 7, 1)
    assert (province.complaints, province.complaints_or_dislikes) == (1, 1)
    satisfaction = decision766(province).groups[-1]
    assert [c.points for c in satisfaction.components][1:] == [None, None]


def test_the_refused_dossier_counts_only_as_refused() -> None:
    procedure = both(Scope(ScopeKind.PROCEDURE, "P-BIRTH"), day_period(date(2026, 11, 18)))

    assert (procedure.refused, procedure.received) == (1, 0)
    assert procedure.in_progress == 3  # D4, D5 and D9, all received earlier


@pytest.mark.parametrize(
    ("now", "within", "overdue"),
    [
        (local(11, 12, 16), 1, 0),  # D4 due today: still within deadline
        (local(11, 13, 8), 0, 1),  # its appointment day is past
        (local(11, 16, 10), 1, 1),  # D5 received today, due 25 Nov
        (local(11, 26, 8), 0, 2),  # D5's appointment day is past too
    ],
)
def test_in_progress_as_of_now(now: datetime, within: int, overdue: int) -> None:
    facts = [f for f in dossiers() if f.code in {"D4", "D5"}]
    november = month_period(2026, 11)

    ind = count(facts, STP, november, now)
    assert (ind.in_progress_within, ind.in_progress_overdue) == (within, overdue)
    assert evaluate(tally(facts), STP, november, now) == ind


def test_an_empty_scope_has_no_rates_and_no_scores() -> None:
    ind = both(Scope(ScopeKind.AGENCY, "NONE"), month_period(2026, 11))
    r = rates(ind)

    assert ind.received == 0
    assert all(value is None for value in vars(r).values())
    score = decision766(ind)
    assert [g.points for g in score.groups] == [None, None, None, None, None, 12]


def test_redelivered_updates_contribute_no_deltas() -> None:
    for facts in dossiers():
        for update in UPDATES[facts.code]:
            assert contributions(facts, apply(facts, update)) == {}


def test_the_first_delta_of_a_dossier_is_all_its_counters() -> None:
    d1 = dossiers()[0]

    assert contributions(None, d1) == counters(d1)
    assert counters(d1)[CounterKey("agency:STP", "2026-10", "received")] == 1
    assert counters(d1)[CounterKey("unit:A", "2026-11", "processing_half_days:3")] == 1
