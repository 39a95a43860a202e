"""The periodic passes as what is kept grows: each pass timed on tables of 100,000 and
1,000,000 rows, through its index and, in the same run, with that index dropped.

uv run --frozen python -m bench housekeeping [--rows 100000,1000000] [--passes 7] [--write]

Two databases of their own on the running stack's PostgreSQL (created, migrated as
notify's and as the portal's, dropped after) are filled with `generate_series` at each
level:
- the delivery log: rows settled long ago, and a queue of 500 waiting (half of them due)
  and 50 in flight;
- the dossier views: closed dossiers whose receipts were sent, and 200 still waiting for
  their applicant's contacts;
- the portal's dossiers: all in sync with the national portal but 300, queued.

Each pass is the services' own code, as their loops run it: notify's gauges
(`queue_stats` and `parked_count`, every 5 s by default) and the portal's count of
dossiers out of sync (`OperatorStore.out_of_sync`, one of its gauges, every 10 s by
default). The figure is the median wall time of `--passes` passes after one unmeasured
pass. "Before" drops `dossiers_waiting`, counts notify's queue in one statement
(`status IN (...)`) and the portal's dossiers out of sync over every dossier, as before
they were given their indexes. (The outbox holds only the events still owed: it does not
grow with what is kept.)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench.report import write_section
from bench.stack import infrastructure
from motcua.db import create_engine, migrate
from motcua.settings import DatabaseSettings
from motcua.testing import create_database, drop_database
from motcua_notify.adapters.dossier_store import parked_count
from motcua_notify.adapters.notification_store import queue_stats
from motcua_notify.app import MIGRATIONS
from motcua_portal.adapters.operator_store import OperatorStore
from motcua_portal.app import MIGRATIONS as PORTAL_MIGRATIONS

QUEUED, IN_FLIGHT, WAITING, BEHIND = 500, 50, 200, 300
_NEW_INDEXES = ("dossiers_waiting",)

_NOTIFICATIONS = """
INSERT INTO notifications (public_id, idempotency_key, dossier_code, unit_code, agency_code,
    audience, message_type, channel, status, recipient_hash, template_version, attempts,
    not_before, source_event_id, created_at, sent_at)
SELECT gen_random_uuid(), 'k-' || :start + n, 'D' || (:start + n) % 400000, 'U1', 'A1',
    'citizen', 'received', (ARRAY['email', 'sms', 'zalo'])[n % 3 + 1],
    CASE WHEN n < :queued THEN 'pending' WHEN n < :queued + :in_flight THEN 'sending'
         ELSE 'accepted' END,
    decode(md5(n::text), 'hex'), 1, 1,
    now() + CASE WHEN n < :queued / 2 THEN interval '1 hour' ELSE - interval '1 day' END,
    'e-' || :start + n, now() - interval '2 days', now() - interval '2 days'
FROM generate_series(0, :count - 1) AS n
"""
_DOSSIERS = """
INSERT INTO dossiers (code, agency_code, applicant, received_at, received_event_id,
    receipt_event_id, closed_at)
SELECT 'V' || :start + n, 'A1',
    CASE WHEN n < :waiting THEN NULL ELSE '{"name": "x"}'::jsonb END,
    now() - interval '9 days', 'r-' || n,
    CASE WHEN n < :waiting THEN NULL ELSE 'p-' || n END,
    CASE WHEN n < :waiting THEN NULL ELSE now() - interval '2 days' END
FROM generate_series(0, :count - 1) AS n
"""
_PORTAL_DOSSIERS = """
INSERT INTO portal_dossiers (code, agency_code, received_at, revision, synced_revision, on_portal)
SELECT 'V' || :start + n, 'A1', now() - interval '9 days',
    CASE WHEN n < :behind THEN 3 ELSE 2 END, 2, true
FROM generate_series(0, :count - 1) AS n
"""
_PORTAL_QUEUE = """
INSERT INTO portal_sync_queue (code, revision, pending_since, due_at)
SELECT 'V' || n, 3, now(), now() FROM generate_series(0, :behind - 1) AS n
"""
_PORTAL_BEFORE = text("SELECT count(*) FROM portal_dossiers WHERE synced_revision < revision")
_QUEUE_BEFORE = text(
    "SELECT channel, count(*), min(CASE WHEN not_before <= :now THEN not_before END)"
    " FROM notifications WHERE status IN ('pending', 'sending') GROUP BY channel"
)


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench housekeeping")
    parser.add_argument("--rows", default="100000,1000000")
    parser.add_argument("--passes", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    return parser.parse_args(argv)


async def _median_ms(passes: int, work: Callable[[], Awaitable[object]]) -> float:
    await work()
    times = []
    for _ in range(passes):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def _fill(engine: AsyncEngine, statements: list[str], start: int, count: int) -> None:
    """Add `count` rows to each table; the queues and the waiting dossiers come with the
    first batch only."""
    first = start == 0
    params = {
        "start": start,
        "count": count,
        "queued": QUEUED if first else 0,
        "in_flight": IN_FLIGHT if first else 0,
        "waiting": WAITING if first else 0,
        "behind": BEHIND if first else 0,
    }
    async with engine.begin() as conn:
        for statement in statements:
            names = [name for name in params if f":{name}" in statement]
            await conn.execute(text(statement), {name: params[name] for name in names})
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE"))


async def _portal_level(engine: AsyncEngine, passes: int) -> dict[str, float]:
    async def gauges() -> None:
        async with AsyncSession(engine) as session:
            await OperatorStore(session).out_of_sync()

    async def before() -> None:
        async with engine.connect() as conn:
            await conn.execute(_PORTAL_BEFORE)

    return {
        "portal": await _median_ms(passes, gauges),
        "portal before": await _median_ms(passes, before),
    }


async def _level(engine: AsyncEngine, passes: int) -> dict[str, float]:
    now = datetime.now(UTC)

    async def gauges() -> None:
        async with AsyncSession(engine) as session, session.begin():
            await queue_stats(session, now)

    async def waiting() -> None:
        async with AsyncSession(engine) as session, session.begin():
            await parked_count(session)

    async def queue_before() -> None:
        async with engine.connect() as conn:
            await conn.execute(_QUEUE_BEFORE, {"now": now})

    figures = {
        "queue": await _median_ms(passes, gauges),
        "waiting": await _median_ms(passes, waiting),
    }
    async with engine.begin() as conn:
        # Kept as PostgreSQL has them, to build them again for the next level.
        definitions = (
            await conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
                {"names": list(_NEW_INDEXES)},
            )
        ).all()
        if len(definitions) != len(_NEW_INDEXES):
            raise RuntimeError(f"expected the indexes {_NEW_INDEXES}, found {definitions}")
        for name, _ in definitions:
            await conn.execute(text(f"DROP INDEX {name}"))
    figures["queue before"] = await _median_ms(passes, queue_before)
    figures["waiting before"] = await _median_ms(passes, waiting)
    async with engine.begin() as conn:
        for _, definition in definitions:
            await conn.execute(text(definition))
    return figures


async def _run(options: argparse.Namespace) -> str:
    levels = sorted(int(level) for level in options.rows.split(","))
    _, base_url = infrastructure()
    stamp = int(time.time())
    names = {"notify": f"bench_housekeeping_{stamp}", "portal": f"bench_housekeeping_p{stamp}"}
    notify = create_engine(DatabaseSettings(url=await create_database(base_url, names["notify"])))
    portal = create_engine(DatabaseSettings(url=await create_database(base_url, names["portal"])))
    rows = []
    try:
        await migrate(notify, MIGRATIONS)
        await migrate(portal, PORTAL_MIGRATIONS)
        kept = 0
        for level in levels:
            print(f"  filling to {level:,} rows a table")
            await _fill(notify, [_NOTIFICATIONS, _DOSSIERS], kept, level - kept)
            await _fill(portal, [_PORTAL_DOSSIERS, _PORTAL_QUEUE], kept, level - kept)
            kept = level
            figures = await _level(notify, options.passes)
            figures |= await _portal_level(portal, options.passes)
            print(f"  {level:,}: " + ", ".join(f"{k} {v:.2f} ms" for k, v in figures.items()))
            rows.append((level, figures))
    finally:
        for engine in (notify, portal):
            await engine.dispose()
        for name in names.values():
            await drop_database(base_url, name)
    return _report(options, rows)


def _report(options: argparse.Namespace, rows: list[tuple[int, dict[str, float]]]) -> str:
    def pair(figures: dict[str, float], name: str) -> str:
        now, before = figures[name], figures[f"{name} before"]
        return f"{now:.2f} | {before:.2f} | {before / now:.1f}×"

    lines = [
        "## The periodic passes as what is kept grows",
        "",
        f"`uv run --frozen python -m bench housekeeping --rows {options.rows}"
        f" --passes {options.passes}`: the services' own passes on tables of each size,"
        " milliseconds of wall time a pass (median), through the index each reads and,"
        " in the same run, as before it (see `bench/housekeeping.py`).",
        "",
        "| rows a table | notify queue gauge ms | before | ratio"
        " | notify waiting-dossier gauge ms | before | ratio"
        " | portal out-of-sync gauge ms | before | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level, figures in rows:
        lines.append(
            f"| {level:,} | {pair(figures, 'queue')} | {pair(figures, 'waiting')}"
            f" | {pair(figures, 'portal')} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    options = _options(argv)
    body = asyncio.run(_run(options))
    print(body)
    if options.write:
        write_section("housekeeping", body)
