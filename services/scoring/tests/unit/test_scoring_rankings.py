from __future__ import annotations

from fractions import Fraction

from motcua_scoring.domain.rankings import rank
from motcua_scoring.domain.scopes import PROVINCE, Scope, ScopeKind


def agency(code: str) -> Scope:
    return Scope(ScopeKind.AGENCY, code)


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    values = {
        agency("A"): Fraction(9, 10),
        agency("B"): Fraction(8, 10),
        agency("C"): Fraction(4, 5),
        agency("D"): Fraction(1, 2),
        agency("E"): None,
        Scope(ScopeKind.UNIT, "U"): Fraction(1),
        PROVINCE: Fraction(3, 4),
    }

    ranked = rank(values)

    assert [(r.scope.value, r.rank) for r in ranked] == [
        ("A", 1),
        ("B", 2),
        ("C", 2),
        ("D", 4),
        ("E", None),
    ]


def test_lower_is_better_for_lateness() -> None:
    values = {agency("A"): 3, agency("B"): 0, agency("C"): None, agency("D"): 0}

    ranked = rank(values, higher_is_better=False)

    assert [(r.scope.value, r.rank) for r in ranked] == [
        ("B", 1),
        ("D", 1),
        ("A", 3),
        ("C", None),
    ]


def test_units_are_ranked_among_units() -> None:
    values = {Scope(ScopeKind.UNIT, "X"): 1, Scope(ScopeKind.UNIT, "Y"): 2, agency("A"): 5}

    assert [r.scope.value for r in rank(values, ScopeKind.UNIT)] == ["Y", "X"]
    assert rank({}) == ()


def test_equal_rates_are_ordered_by_volume_and_tie_only_when_both_are_equal() -> None:
    # SYT resolved 1 dossier on time, PVIETTRI 38: the same 100 % is not the same record.
    values = {agency(c): Fraction(1) for c in ("SYT", "PVIETTRI", "STP", "SXD")}
    values[agency("SNN")] = Fraction(1, 2)
    volumes = {agency("SYT"): 1, agency("PVIETTRI"): 38, agency("STP"): 5, agency("SXD"): 5}
    volumes[agency("SNN")] = 100

    ranked = rank(values, volumes=volumes)

    assert [(r.scope.value, r.rank, r.tied) for r in ranked] == [
        ("PVIETTRI", 1, False),
        ("STP", 2, True),
        ("SXD", 2, True),
        ("SYT", 4, False),
        ("SNN", 5, False),
    ]
    assert ranked[0].volume == 38
