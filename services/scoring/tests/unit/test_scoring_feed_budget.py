"""The publisher's budget of keys a pass, and the filters of stream clients, which say
what is watched (the choice of keys itself reads the owed keys' table: see
tests/integration/test_scoring_feed_turns.py)."""

from __future__ import annotations

from motcua_scoring.service.publisher import PassBudget
from motcua_scoring.service.stream import ChangeFilter, ChangeHub
from motcua_scoring.settings import StreamSettings

TODAY = "2026-11-21"


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
    assert hub.filters() == []
    with hub.watching(agencies):
        with hub.watching(agencies):
            assert hub.filters() == [agencies]
        assert hub.filters() == [agencies]
    assert hub.filters() == []
