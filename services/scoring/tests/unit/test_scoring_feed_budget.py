"""The publisher's choice of keys a pass: watched keys first, every key in its turn; and
the filters of stream clients, which say what is watched."""

from __future__ import annotations

from motcua_scoring.adapters.dirty_keys import DirtyKey
from motcua_scoring.service.publisher import PassBudget, Turns
from motcua_scoring.service.stream import ChangeFilter, ChangeHub
from motcua_scoring.settings import StreamSettings

TODAY = "2026-11-21"


def owed(*scopes: str, period: str = TODAY) -> list[DirtyKey]:
    return [(scope, period, 1) for scope in scopes]


def watched_agencies(scope: str, period: str) -> bool:
    return scope.startswith("agency:") and period == TODAY


def nothing(scope: str, period: str) -> bool:
    return False


def test_watched_keys_go_first_and_the_others_fill_the_budget() -> None:
    keys = owed("unit:U1", "agency:A2", "field:F1", "agency:A1", "unit:U2")
    chosen = Turns().choose(keys, watched_agencies, budget=4)
    assert [k[0] for k in chosen] == ["agency:A1", "agency:A2", "field:F1", "unit:U1"]


def test_the_others_take_turns_so_none_waits_for_ever() -> None:
    keys = owed(*(f"unit:U{n}" for n in range(10)))
    turns = Turns()
    seen: list[str] = []
    for _ in range(4):
        seen += [k[0] for k in turns.choose(keys, nothing, budget=3)]
    assert seen[:10] == [f"unit:U{n}" for n in range(10)]
    assert seen[10:] == ["unit:U0", "unit:U1"]


def test_the_others_keep_a_quarter_of_the_budget_when_watched_keys_fill_it() -> None:
    keys = owed(*(f"agency:A{n}" for n in range(10)), "unit:U1", "unit:U2")
    chosen = Turns().choose(keys, watched_agencies, budget=8)
    assert [k[0] for k in chosen[:8]] == [f"agency:A{n}" for n in range(8)]
    assert [k[0] for k in chosen[8:]] == ["unit:U1", "unit:U2"]


def test_watched_keys_also_take_turns_when_they_exceed_the_budget() -> None:
    keys = owed(*(f"agency:A{n}" for n in range(5)))
    turns = Turns()
    first = turns.choose(keys, watched_agencies, budget=3)
    second = turns.choose(keys, watched_agencies, budget=3)
    assert [k[0] for k in first + second] == [
        "agency:A0",
        "agency:A1",
        "agency:A2",
        "agency:A3",
        "agency:A4",
        "agency:A0",
    ]


def test_a_key_marked_since_its_turn_waits_for_the_others() -> None:
    turns = Turns()
    assert [k[0] for k in turns.choose(owed("unit:U1", "unit:U2"), nothing, 1)] == ["unit:U1"]
    again = owed("unit:U1", "unit:U2", "unit:U3")
    assert [k[0] for k in turns.choose(again, nothing, 2)] == ["unit:U2", "unit:U3"]


def test_the_budget_follows_the_time_a_key_takes() -> None:
    budget = PassBudget(seconds=0.1, most=500)
    for _ in range(50):
        budget.observe(0.2, 100)
    assert budget.keys() == 50
    for _ in range(50):
        budget.observe(0.00001, 100)
    assert budget.keys() == 500
    for _ in range(50):
        budget.observe(60, 1)
    assert budget.keys() == 1


def test_a_filter_wants_its_scopes_kinds_and_periods() -> None:
    wanted = ChangeFilter(frozenset({"unit:U1"}), frozenset({"agency"}), frozenset({TODAY}))
    assert wanted.wants_key("unit:U1", TODAY)
    assert wanted.wants_key("agency:A1", TODAY)
    assert not wanted.wants_key("unit:U2", TODAY)
    assert not wanted.wants_key("agency:A1", "2026-11")
    assert ChangeFilter(frozenset(), frozenset(), frozenset()).wants_key("field:F1", "2026")


def test_the_hub_watches_what_its_clients_want_while_they_are_connected() -> None:
    hub = ChangeHub(engine=None, settings=StreamSettings())  # type: ignore[arg-type]
    agencies = ChangeFilter(frozenset(), frozenset({"agency"}), frozenset({TODAY}))
    assert not hub.watched("agency:A1", TODAY)
    with hub.watching(agencies):
        with hub.watching(agencies):
            assert hub.watched("agency:A1", TODAY)
        assert hub.watched("agency:A1", TODAY)
        assert not hub.watched("unit:U1", TODAY)
    assert not hub.watched("agency:A1", TODAY)
