"""The publisher's choice of keys a pass, read from the owed keys' table: watched keys
first, the others with at least a quarter of the pass, every key in its turn."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from motcua_scoring.adapters.dirty_keys import mark_keys
from motcua_scoring.adapters.tables import dirty_keys
from motcua_scoring.service.publisher import Turns
from motcua_scoring.service.stream import ChangeFilter

pytestmark = pytest.mark.infra
TODAY = "2026-11-21"
AGENCIES_TODAY = [ChangeFilter(frozenset(), frozenset({"agency"}), frozenset({TODAY}))]


@pytest.fixture
async def conn(fresh_database_url: str) -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(fresh_database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(dirty_keys.create)
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


async def owe(conn: AsyncConnection, *scopes: str, period: str = TODAY) -> None:
    await mark_keys(conn, {(scope, period) for scope in scopes})


async def choose(conn, turns: Turns, watching, budget: int) -> tuple[list[str], bool]:
    chosen, more = await turns.choose(conn, watching, budget)
    return [scope for scope, _, _ in chosen], more


async def test_watched_keys_go_first_and_the_others_fill_the_budget(conn) -> None:
    await owe(conn, "unit:U1", "agency:A2", "field:F1", "agency:A1", "unit:U2")
    await owe(conn, "agency:A3", period="2026-11")
    chosen, more = await choose(conn, Turns(), AGENCIES_TODAY, budget=4)
    assert chosen == ["agency:A1", "agency:A2", "agency:A3", "field:F1"]
    assert more


async def test_the_others_take_turns_so_none_waits_for_ever(conn) -> None:
    await owe(conn, *(f"unit:U{n}" for n in range(10)))
    turns = Turns()
    seen: list[str] = []
    for _ in range(4):
        seen += (await choose(conn, turns, [], budget=3))[0]
    assert seen[:10] == [f"unit:U{n}" for n in range(10)]
    assert seen[10:] == ["unit:U0", "unit:U1"]


async def test_the_others_keep_a_quarter_of_the_budget_when_watched_keys_fill_it(conn) -> None:
    await owe(conn, *(f"agency:A{n}" for n in range(10)), "unit:U1", "unit:U2")
    chosen, _ = await choose(conn, Turns(), AGENCIES_TODAY, budget=8)
    assert chosen[:8] == [f"agency:A{n}" for n in range(8)]
    assert chosen[8:] == ["unit:U1", "unit:U2"]


async def test_watched_keys_also_take_turns_when_they_exceed_the_budget(conn) -> None:
    await owe(conn, *(f"agency:A{n}" for n in range(5)))
    turns = Turns()
    first, _ = await choose(conn, turns, AGENCIES_TODAY, budget=3)
    second, _ = await choose(conn, turns, AGENCIES_TODAY, budget=3)
    assert first + second == [f"agency:A{n}" for n in (0, 1, 2, 3, 4, 0)]


async def test_a_key_marked_since_its_turn_waits_for_the_others(conn) -> None:
    turns = Turns()
    await owe(conn, "unit:U1", "unit:U2")
    assert (await choose(conn, turns, [], budget=1))[0] == ["unit:U1"]
    await owe(conn, "unit:U3")
    assert (await choose(conn, turns, [], budget=2))[0] == ["unit:U2", "unit:U3"]


async def test_a_pass_that_takes_every_owed_key_says_none_is_left(conn) -> None:
    await owe(conn, "agency:A1", "unit:U1", "unit:U2")
    chosen, more = await choose(conn, Turns(), AGENCIES_TODAY, budget=8)
    assert (chosen, more) == (["agency:A1", "unit:U1", "unit:U2"], False)
    # A filter that watches everything: one group, in key order.
    everything = [ChangeFilter(frozenset(), frozenset(), frozenset())]
    chosen, more = await choose(conn, Turns(), everything, budget=2)
    assert (chosen, more) == (["agency:A1", "unit:U1"], True)
