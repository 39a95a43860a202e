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

__all__ = ["evaluate_many", "evaluate_tables", "figure_rows", "read_tables"]

Pair = tuple[d.Scope, d.Period]


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
    tables: ScopeTables, pairs: Sequence[Pair], now: datetime
) -> list[tuple[str, str, dict[str, Any]]]:
    """(scope, period, figures) of each pair, in order."""
    evaluated = evaluate_tables(tables, pairs, now)
    return [(s.key, p.key, figures_json(evaluated[(s.key, p.key)])) for s, p in pairs]


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
    parts = {pair: _absorbed_parts(pair, merges, now) for pair in wanted} if merges else {}
    every = list(dict.fromkeys(wanted + [p for found in parts.values() for p in found]))
    tables = await read_tables(conn, every, now, earliest_year)
    await asyncio.sleep(0)
    evaluated = evaluate_tables(tables, every, now)
    if not parts:
        return evaluated
    return {
        (s.key, p.key): combined(
            evaluated[(s.key, p.key)], [evaluated[(x.key, y.key)] for x, y in parts[(s, p)]]
        )
        for s, p in wanted
    }


def _absorbed_parts(pair: Pair, merges: Sequence[Merge], now: datetime) -> list[Pair]:
    scope, period = pair
    as_of = as_of_day(period, now)
    found = []
    for absorbed, since in absorbed_by(scope, merges):
        part = from_date(period, since, as_of)
        if part is not None:
            found.append((absorbed, part))
    return found
