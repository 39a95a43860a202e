"""The check right before an alert is sent: the rows asking together share one query."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Collection

import pytest

from motcua_notify.service import dispatch


class _Session:
    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[None]:
        yield


@contextlib.asynccontextmanager
async def _sessions() -> AsyncIterator[_Session]:
    yield _Session()


async def test_rows_asking_in_the_same_turn_are_checked_in_one_query(monkeypatch) -> None:
    queries: list[tuple[list[int], str]] = []

    async def still_to_send(_session, row_ids: Collection[int], owner: str) -> set[int]:
        queries.append((sorted(row_ids), owner))
        return {i for i in row_ids if i % 3}  # rows 3, 6, 9 were withdrawn

    monkeypatch.setattr(dispatch, "still_to_send", still_to_send)
    checks = dispatch._PreSendChecks(_sessions, "sender-a")  # type: ignore[arg-type]
    answers = await asyncio.gather(*(checks.still_to_send(i) for i in range(1, 11)))
    assert queries == [(list(range(1, 11)), "sender-a")]
    assert answers == [bool(i % 3) for i in range(1, 11)]

    later = await checks.still_to_send(12)  # a row asking alone later has a round of its own
    assert (later, queries[-1]) == (False, ([12], "sender-a"))


async def test_a_failed_check_fails_every_row_of_its_round(monkeypatch) -> None:
    async def still_to_send(_session, row_ids: Collection[int], owner: str) -> set[int]:
        raise ConnectionError("database unavailable")

    monkeypatch.setattr(dispatch, "still_to_send", still_to_send)
    checks = dispatch._PreSendChecks(_sessions, "sender-a")  # type: ignore[arg-type]
    results = await asyncio.gather(
        *(checks.still_to_send(i) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    with pytest.raises(ConnectionError):
        await checks.still_to_send(7)
