"""Which feed keys of absorbing agencies are owed: when an absorbed agency's counters
move, when merges change, and when a merge date begins."""

from __future__ import annotations

from datetime import date, datetime

from motcua_scoring.domain import LOCAL_TZ
from motcua_scoring.domain.merges import Merge, absorbers_of, roll_up_changes
from motcua_scoring.service.merged_keys import (
    keys_merges_change,
    keys_merges_start,
    with_absorbers,
)

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=LOCAL_TZ)
A_INTO_B = Merge("A", "B", date(2026, 6, 3))
C_INTO_A = Merge("C", "A", date(2026, 6, 5))


def test_absorbers_follow_chains_from_the_later_date() -> None:
    found = absorbers_of([A_INTO_B, C_INTO_A])
    assert {code: [(s.key, d) for s, d in v] for code, v in found.items()} == {
        "A": [("agency:B", date(2026, 6, 3))],
        "C": [("agency:A", date(2026, 6, 5)), ("agency:B", date(2026, 6, 5))],
    }


def test_an_absorbed_agencys_key_brings_its_absorbers_keys_for_periods_from_the_date() -> None:
    merges = [A_INTO_B, C_INTO_A]
    keys = [("agency:C", "2026-06"), ("agency:A", "2026-06-04"), ("unit:U", "2026-06")]
    assert with_absorbers(keys, merges, NOW) == [
        *keys,
        ("agency:A", "2026-06"),
        ("agency:B", "2026-06"),
        ("agency:B", "2026-06-04"),
    ]


def test_nothing_of_an_absorbed_agency_before_the_date_or_after_today() -> None:
    keys = [("agency:A", "2026-06-02"), ("agency:A", "2026-05"), ("agency:A", "2026-06-11")]
    assert with_absorbers(keys, [A_INTO_B], NOW) == keys
    assert with_absorbers(keys, [], NOW) == keys


def test_a_key_owed_already_is_published_once() -> None:
    keys = [("agency:A", "2026-06"), ("agency:B", "2026-06")]
    assert with_absorbers(keys, [A_INTO_B], NOW) == keys


def test_a_recorded_merge_owes_the_absorbers_periods_from_the_date_to_today() -> None:
    assert roll_up_changes([], [A_INTO_B, C_INTO_A]) == {
        "A": date(2026, 6, 5),
        "B": date(2026, 6, 3),
    }
    keys = keys_merges_change([], [A_INTO_B], date(2026, 6, 4), date(2026, 1, 1))
    assert keys == {
        ("agency:B", "2026-06-03"),
        ("agency:B", "2026-06-04"),
        ("agency:B", "2026-06"),
        ("agency:B", "2026-Q2"),
        ("agency:B", "2026"),
    }


def test_a_merge_dated_ahead_or_unchanged_owes_nothing_yet() -> None:
    assert keys_merges_change([], [A_INTO_B], date(2026, 6, 2), date(2026, 1, 1)) == set()
    assert keys_merges_change([A_INTO_B], [A_INTO_B], NOW.date(), date(2026, 1, 1)) == set()


def test_a_merge_moved_to_another_date_or_undone_owes_from_the_earlier_date() -> None:
    later = Merge("A", "B", date(2026, 6, 8))
    assert roll_up_changes([A_INTO_B], [later]) == {"B": date(2026, 6, 3)}
    assert roll_up_changes([A_INTO_B], []) == {"B": date(2026, 6, 3)}
    elsewhere = Merge("A", "D", date(2026, 6, 3))
    assert roll_up_changes([A_INTO_B], [elsewhere]) == {
        "B": date(2026, 6, 3),
        "D": date(2026, 6, 3),
    }


def test_the_day_a_merge_begins_owes_the_absorbers_current_periods() -> None:
    merges = [A_INTO_B, C_INTO_A]
    assert keys_merges_start(merges, date(2026, 6, 2), date(2026, 6, 3)) == {
        ("agency:B", "2026-06-03"),
        ("agency:B", "2026-06"),
        ("agency:B", "2026-Q2"),
        ("agency:B", "2026"),
    }
    assert {s for s, _ in keys_merges_start(merges, date(2026, 6, 4), date(2026, 6, 5))} == {
        "agency:A",
        "agency:B",
    }
    assert keys_merges_start(merges, date(2026, 6, 5), date(2026, 6, 6)) == set()
