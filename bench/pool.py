"""Lending pooled connections: the project's engine against SQLAlchemy's pre-ping.

uv run --frozen python -m bench pool [--rounds 3] [--transactions 20000] [--write]

On the running stack's PostgreSQL (`motcua-stack up --infra`), in a database of its own
(dropped after): short transactions, each on a connection lent by the pool for it (one
`SELECT` of a row, as a relay's pass or a notify claim that finds little is), 4 at a time
on a pool of 4, round after round in turn:
- **the project's engine** (`motcua.db.create_engine`), which pings a pooled connection
  only when it sat idle for more than `IDLE_BEFORE_PING` seconds;
- **SQLAlchemy's `pool_pre_ping`**, as before, which pings at every checkout: on asyncpg
  a transaction begun, `;` and a rollback, three round trips.

Each reports this process's CPU a transaction (getrusage), the database's (the ticks of
the backends serving the pool, from /proc) and the wall time a transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.procstat import TICKS, own_cpu, ticks
from bench.report import write_section
from bench.stack import infrastructure
from motcua.db import create_engine, sessions
from motcua.settings import DatabaseSettings
from motcua.testing import create_database, drop_database

_CONCURRENCY = 4
_IDLE_PING = "idle ping (the project's engine)"
_PRE_PING = "pre-ping at every checkout, as before"


def _pre_ping_engine(url: str) -> AsyncEngine:
    return create_async_engine(url, pool_size=_CONCURRENCY, max_overflow=0, pool_pre_ping=True)


async def _backends(engine: AsyncEngine) -> list[int]:
    """Check every pooled connection out at once and name the server process behind it."""
    held = [await engine.connect() for _ in range(_CONCURRENCY)]
    try:
        return [(await c.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one() for c in held]
    finally:
        for conn in held:
            await conn.close()


async def _round(engine: AsyncEngine, transactions: int) -> tuple[float, float, float]:
    """(client CPU, server CPU, wall) µs a transaction."""
    pids = await _backends(engine)
    make = sessions(engine)
    query = sa.text("SELECT n FROM bench_rows WHERE n = :n")

    async def worker(count: int) -> None:
        for n in range(count):
            async with make() as session, session.begin():
                await session.execute(query, {"n": n % 100})

    server, cpu, wall = sum(ticks(p) for p in pids), own_cpu(), time.perf_counter()
    await asyncio.gather(*(worker(transactions // _CONCURRENCY) for _ in range(_CONCURRENCY)))
    wall, cpu = time.perf_counter() - wall, own_cpu() - cpu
    server = (sum(ticks(p) for p in pids) - server) / TICKS
    done = transactions // _CONCURRENCY * _CONCURRENCY
    return cpu * 1e6 / done, server * 1e6 / done, wall * 1e6 / done


async def _run(options: argparse.Namespace) -> dict[str, tuple[float, float, float]]:
    _, base_url = infrastructure()
    name = f"bench_pool_{int(time.time())}"
    url = await create_database(base_url, name)
    engines = {
        _IDLE_PING: create_engine(
            DatabaseSettings(url=url, pool_size=_CONCURRENCY, max_overflow=0)
        ),
        _PRE_PING: _pre_ping_engine(url),
    }
    best: dict[str, tuple[float, float, float]] = {}
    try:
        async with engines[_IDLE_PING].begin() as conn:
            await conn.execute(sa.text("CREATE TABLE bench_rows (n int PRIMARY KEY)"))
            await conn.execute(sa.text("INSERT INTO bench_rows SELECT generate_series(0, 99)"))
        for _ in range(options.rounds):
            for label, engine in engines.items():
                measured = await _round(engine, options.transactions)
                print(
                    f"  {label}: client {measured[0]:.1f}, server {measured[1]:.1f},"
                    f" wall {measured[2]:.1f} µs a transaction"
                )
                kept = best.get(label)
                best[label] = measured if kept is None or measured[2] < kept[2] else kept
    finally:
        for engine in engines.values():
            await engine.dispose()
        await drop_database(base_url, name)
    return best


def _report(options: argparse.Namespace, best: dict[str, tuple[float, float, float]]) -> str:
    base = best[_PRE_PING]
    lines = [
        "## Lending pooled connections",
        "",
        f"`uv run --frozen python -m bench pool --rounds {options.rounds} --transactions"
        f" {options.transactions}`: on the local stack's PostgreSQL, short transactions (one"
        f" `SELECT` of a row) each on a connection the pool lends for it, {_CONCURRENCY} at a"
        f" time on a pool of {_CONCURRENCY}, the two engines round after round in turn (best"
        f" round of each by wall time; see `bench/{Path(__file__).name}`).",
        "",
        "| engine | client CPU µs | ratio | server CPU µs | ratio | wall µs | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, (cpu, server, wall) in best.items():
        lines.append(
            f"| {label} | {cpu:,.1f} | {cpu / base[0]:.2f} | {server:,.1f}"
            f" | {server / base[1]:.2f} | {wall:,.1f} | {wall / base[2]:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench pool")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--transactions", type=int, default=20_000)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    options = parser.parse_args(argv or [])
    body = _report(options, asyncio.run(_run(options)))
    print(body)
    if options.write:
        write_section("pool", body)
