from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from motcua_scoring.domain.formulas import (
    decision766,
    digitised_share,
    linear_points,
    online_share,
    p90_processing_days,
    processing_satisfaction_rate,
    progress_points,
    ratio,
    threshold_points,
)
from motcua_scoring.domain.indicators import Indicators
from motcua_scoring.domain.periods import month_period
from motcua_scoring.domain.scopes import PROVINCE

EMPTY = Indicators(PROVINCE, month_period(2026, 11), date(2026, 11, 30))


def group_points(ind: Indicators, name: str) -> list[Fraction | None]:
    group = next(g for g in decision766(ind).groups if g.name == name)
    return [c.points for c in group.components]


def test_a_zero_denominator_gives_none_not_zero() -> None:
    assert ratio(0, 0) is None
    assert ratio(0, 5) == 0
    assert linear_points(None, Fraction(6)) is None
    assert threshold_points(None, Fraction(6), Fraction(1, 2)) is None
    assert progress_points(EMPTY) is None


@pytest.mark.parametrize(
    ("online", "points"),
    [(49, Fraction(4) * Fraction(49, 50)), (50, Fraction(4)), (51, Fraction(4)), (0, Fraction(0))],
)
def test_online_submission_is_full_from_50_percent(online: int, points: Fraction) -> None:
    ind = replace(EMPTY, received=100, received_online_partial=online)

    assert online_share(ind) == Fraction(online, 100)
    assert group_points(ind, "online")[1] == points


@pytest.mark.parametrize(
    ("digitised", "points"), [(79, Fraction(4) * Fraction(79, 80)), (80, 4), (100, 4)]
)
def test_digitised_is_full_from_80_percent(digitised: int, points: Fraction) -> None:
    ind = replace(EMPTY, received=100, received_digitised=digitised)

    assert digitised_share(ind) == Fraction(digitised, 100)
    assert group_points(ind, "digitisation")[1] == points


@pytest.mark.parametrize(
    ("late", "unhappy", "points"),
    [
        (5, 5, Fraction(6)),  # 90 %: full marks
        (5, 6, Fraction(6) * Fraction(89, 90)),  # 89 %
        (0, 0, Fraction(6)),
        (60, 60, Fraction(0)),  # 100 % - 120 % stops at 0
    ],
)
def test_processing_satisfaction_is_full_from_90_percent(
    late: int, unhappy: int, points: Fraction
) -> None:
    ind = replace(EMPTY, resolved_on_time=100 - late, resolved_late=late)
    ind = replace(ind, complaints_or_dislikes=unhappy)

    assert group_points(ind, "satisfaction")[0] == points


def test_complaint_components_are_full_without_complaints_and_unknown_with_them() -> None:
    assert group_points(EMPTY, "satisfaction") == [None, 6, 6]
    assert group_points(replace(EMPTY, complaints=1), "satisfaction") == [None, None, None]


def test_progress_counts_open_dossiers_within_deadline_as_good() -> None:
    ind = replace(
        EMPTY,
        resolved_early=3,
        resolved_on_time=3,
        resolved_late=2,
        in_progress_within=1,
        in_progress_overdue=1,
    )

    assert progress_points(ind) == Fraction(20) * Fraction(7, 10)


def test_processing_satisfaction_needs_resolved_dossiers() -> None:
    assert processing_satisfaction_rate(replace(EMPTY, complaints_or_dislikes=1)) is None


@pytest.mark.parametrize(
    ("histogram", "p90"),
    [
        (((2, 10),), Fraction(1)),
        (((1, 9), (40, 1)), Fraction(1, 2)),  # rank 9 of 10
        (((1, 8), (40, 2)), Fraction(20)),
        (((0, 1),), Fraction(0)),
        ((), None),
    ],
)
def test_p90_is_nearest_rank_over_half_days(
    histogram: tuple[tuple[int, int], ...], p90: Fraction | None
) -> None:
    assert p90_processing_days(replace(EMPTY, processing_histogram=histogram)) == p90


def test_groups_add_up_to_100_points() -> None:
    score = decision766(EMPTY)

    assert sum(g.max_points for g in score.groups) == 100
    for group in score.groups:
        assert sum(c.max_points for c in group.components) == group.max_points


def test_uncomputable_components_are_marked() -> None:
    digitisation = next(g for g in decision766(EMPTY).groups if g.name == "digitisation")

    assert [c.computable for c in digitisation.components] == [True, True] + [False] * 5
    assert digitisation.points is None and digitisation.scaled is None
