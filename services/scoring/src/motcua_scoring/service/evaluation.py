"""Indicators of many (scope, period) pairs from the counter table, in two queries.

Reading the rows is I/O; turning them into indicators and figures is pure CPU work,
kept in plain functions so the publisher can run it in a worker process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_scoring import domain as d
from motcua_scoring.adapters.counter_store import ScopeTables, read_rows
from motcua_scoring.domain.indicators import as_of_day
from motcua_scoring.domain.merges import Merge, absorbed_by, combined, from_date
from motcua_scoring.service.figures import figures_json

__all__ = [
    "Parts",
    "absorbed_parts",
    "evaluate_many",
    "evaluate_tables",
    "figure_rows",
    "read_tables",
    "rolled_up",
    "to_read",
]

Pair = tuple[d.Scope, d.Period]
Parts = dict[Pair, list[Pair]]
"""For an agency's (scope, period): the (absorbed agency, part of the period) pairs it
counts besides its own."""


async def read_tables(
    conn: AsyncConnection, pairs: Iterable[Pair], now: datetime, earliest_year: int
) -> ScopeTables:
    """The counter rows `evaluate` needs for every pair, grouped by scope."""
    needs: dict[d.Period, d.RowsNeeded] = {}
    flows: set[tuple[str, str]] = set()
    standing: set[tuple[str, str]] = set()
    for scope, period in pairs:
        need = needs.get(period)
        if need is None:
            need = needs[period] = d.rows_needed(period, now, earliest_year)
        flows.update((scope.key, key) for key in need.flows)
        standing.update((scope.key, key) for key in need.standing)
    return await read_rows(conn, flows, standing)


def evaluate_tables(
    tables: ScopeTables, pairs: Iterable[Pair], now: datetime
) -> dict[tuple[str, str], d.Indicators]:
    """Indicators of each pair, each scope's rows indexed once."""
    by_scope: dict[d.Scope, list[d.Period]] = {}
    for scope, period in dict.fromkeys(pairs):
        by_scope.setdefault(scope, []).append(period)
    evaluated: dict[tuple[str, str], d.Indicators] = {}
    for scope, periods in by_scope.items():
        table = tables.get(scope.key, {})
        for period, ind in d.evaluate_each(table, scope, periods, now).items():
            evaluated[(scope.key, period.key)] = ind
    return evaluated


def figure_rows(
    tables: ScopeTables, pairs: Sequence[Pair], now: datetime, parts: Parts | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(scope, period, figures) of each pair, in order; an agency's figures with the
    `parts` of the agencies merged into it (`absorbed_parts`), as the JSON API gives them."""
    evaluated = rolled_up(tables, pairs, now, parts or {})
    return [(s.key, p.key, figures_json(evaluated[(s.key, p.key)])) for s, p in pairs]


def absorbed_parts(pairs: Iterable[Pair], merges: Sequence[Merge], now: datetime) -> Parts:
    """For each pair, the (agency, part of the period) pairs of the agencies merged into
    its scope that it counts (none for a scope that absorbed nothing)."""
    if not merges:
        return {}
    return {pair: _absorbed_parts(pair, merges, now) for pair in dict.fromkeys(pairs)}


def to_read(pairs: Iterable[Pair], parts: Parts) -> list[Pair]:
    """The pairs whose counter rows `rolled_up` needs: the pairs and their parts."""
    wanted = list(dict.fromkeys(pairs))
    return list(dict.fromkeys(wanted + [p for pair in wanted for p in parts.get(pair, ())]))


def rolled_up(
    tables: ScopeTables, pairs: Iterable[Pair], now: datetime, parts: Parts
) -> dict[tuple[str, str], d.Indicators]:
    """Indicators of each pair, an agency's with its `parts` added (`domain.merges`):
    the one definition the JSON API, the compacted feed and the live stream share."""
    wanted = list(dict.fromkeys(pairs))
    evaluated = evaluate_tables(tables, to_read(wanted, parts), now)
    return {
        (s.key, p.key): combined(
            evaluated[(s.key, p.key)],
            [evaluated[(x.key, y.key)] for x, y in parts.get((s, p), ())],
        )
        for s, p in wanted
    }


async def evaluate_many(
    conn: AsyncConnection,
    pairs: Iterable[Pair],
    now: datetime,
    earliest_year: int,
    merges: Sequence[Merge] = (),
) -> dict[tuple[str, str], d.Indicators]:
    """`evaluate` for each pair, reading only the rows it needs; an agency counts the
    dossiers of the agencies merged into it from each merge date (`domain.merges`)."""
    wanted = list(dict.fromkeys(pairs))
    parts = absorbed_parts(wanted, merges, now)
    tables = await read_tables(conn, to_read(wanted, parts), now, earliest_year)
    await asyncio.sleep(0)
    return rolled_up(tables, wanted, now, parts)


def _absorbed_parts(pair: Pair, merges: Sequence[Merge], now: datetime) -> list[Pair]:
    scope, period = pair
    as_of = as_of_day(period, now)
    found = []
    for absorbed, since in absorbed_by(scope, merges):
        part = from_date(period, since, as_of)
        if part is not None:
            found.append((absorbed, part))
    return found
