"""Statements of the hot paths, each beside the shape it replaced or was weighed against.

uv run --frozen python -m bench statements [--rounds 3] [--write]

On the running stack's PostgreSQL (`motcua-stack up --infra`), in databases of their own
(migrated as tracking's, notify's and the portal's, dropped after), round after round in turn:
- **tracking's phone digests**, `keep_digests` (one `unnest`) against the multi-row
  `INSERT ... VALUES` it replaced, whose text depended on the batch's size: 150 batches of
  50–400 digests a round;
- **notify's new messages**, `insert_messages` (one `unnest`) against SQLAlchemy's
  executemany of the same rows: 60 batches of 20–300 messages a round;
- **notify's erasures**, `erase_dossiers` of a batch's dossiers at once against the same
  three statements dossier by dossier, as before: 40 batches of the messages of 10–100
  dossiers (3 each, written untimed first) a round;
- **the portal's scrub** of erased dossiers' records, `blank_records` (one `unnest`)
  against one UPDATE a record (executemany), as before: 40 batches of 10–300 records of
  2 kB a round (written untimed first);
- **notify's queue**: its delivery log as it is (the queue is the log's `status` and lease,
  one table with 11 indexes), against a narrow queue table beside the log (claimed from,
  deleted when settled), on 100,000 settled rows: 20,000 messages written, claimed and
  settled 100 at a time.

Digests, messages, erasures and scrubs: this process's CPU a row (getrusage, the
statements' own work on the client) and the wall time a row (the database's work
included). The queue: the wall time a message of each step and the WAL it wrote.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import motcua_notify
import motcua_portal
import motcua_tracking
from bench.procstat import own_cpu
from bench.report import write_section
from bench.stack import infrastructure
from motcua.db import asyncpg_dsn, create_engine, json_text, migrate
from motcua.settings import DatabaseSettings
from motcua.testing import create_database, drop_database
from motcua_notify.adapters.notification_store import erase_dossiers, insert_messages
from motcua_notify.adapters.tables import notifications
from motcua_portal.adapters.store import blank_records
from motcua_portal.adapters.tables import DOSSIERS
from motcua_portal.domain import digest
from motcua_tracking.adapters.applicants import ApplicantDigest, keep_digests
from motcua_tracking.adapters.tables import APPLICANT_DIGESTS

_Write = Callable[[AsyncSession, Any], Awaitable[object]]


# -- the shapes replaced ------------------------------------------------------------------------


async def _digests_as_values(session: AsyncSession, digests: dict[str, ApplicantDigest]) -> None:
    t = APPLICANT_DIGESTS
    rows = [
        {"dossier_code": code, "phone_hash": d.phone_hash, "erased_at": d.erased_at}
        for code, d in sorted(digests.items())
    ]
    statement = pg_insert(t).values(rows)
    new = statement.excluded
    still_there = sa.and_(t.c.erased_at.is_(None), new.erased_at.is_(None))
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[t.c.dossier_code],
            set_={
                "phone_hash": sa.case((still_there, new.phone_hash), else_=None),
                "erased_at": sa.func.coalesce(t.c.erased_at, new.erased_at),
            },
        )
    )


async def _messages_by_executemany(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    t = notifications
    await session.execute(
        pg_insert(t)
        .on_conflict_do_nothing(index_elements=[t.c.idempotency_key])
        .returning(t.c.idempotency_key),
        rows,
    )


_BLANK_ONE = sa.text(
    "UPDATE portal_dossiers SET record = CAST(:b_record AS jsonb),"
    " record_digest = CAST(:b_digest AS text) WHERE code = CAST(:b_code AS text)"
)


async def _blank_one_by_one(session: AsyncSession, records: dict[str, dict[str, Any]]) -> None:
    await session.execute(
        _BLANK_ONE,
        [
            {"b_code": code, "b_record": json_text(blank), "b_digest": digest(blank)}
            for code, blank in sorted(records.items())
        ],
    )


# -- rows ---------------------------------------------------------------------------------------

_CONTENT = {
    "subject": "Biên nhận hồ sơ 000.00.12.H12-260303-0001",
    "text": "Kính gửi ông/bà, hồ sơ của quý vị đã được tiếp nhận. " * 8,
    "html": "<p>Kính gửi ông/bà, hồ sơ của quý vị đã được tiếp nhận.</p>" * 8,
}


async def _erase_one_by_one(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    for code in sorted({row["dossier_code"] for row in rows}):
        await erase_dossiers(session, [code], "applicant_erased", datetime.now(UTC))


async def _erase_batched(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    codes = {row["dossier_code"] for row in rows}
    await erase_dossiers(session, codes, "applicant_erased", datetime.now(UTC))


async def _sent_records(session: AsyncSession, records: dict[str, dict[str, Any]]) -> None:
    await session.execute(
        sa.insert(DOSSIERS),
        [
            {"code": code, "record": {**blank, "ChuHoSo": "Nguyễn Văn A"}, "record_digest": "-"}
            for code, blank in records.items()
        ],
    )


def _records(n: int, tag: str) -> dict[str, dict[str, Any]]:
    """Records of about 2 kB, blanked of their applicant."""
    steps = [{"TrangThai": "4", "NoiDung": "Chuyển xử lý " * 8, "ThoiGian": "20260303"}] * 10
    return {
        f"{tag}-{i}": {"MaHoSo": f"{tag}-{i}", "ChuHoSo": "", "QuaTrinh": steps} for i in range(n)
    }


def _digests(n: int, tag: str) -> dict[str, ApplicantDigest]:
    return {f"{tag}-{i}": ApplicantDigest(os.urandom(32).hex()) for i in range(n)}


def _messages(n: int, tag: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "public_id": uuid.uuid4(),
            "idempotency_key": f"{tag}-{i}",
            "dossier_code": f"{tag}-D{i // 3}",
            "unit_code": "H12.01",
            "agency_code": "H12",
            "audience": "citizen",
            "message_type": "receipt",
            "channel": "email",
            "status": "pending",
            "reason": None,
            "recipient": f"an{i}@mail.vn",
            "recipient_hash": os.urandom(32),
            "recipient_masked": "a***@mail.vn",
            "content": _CONTENT,
            "template_version": 1,
            "attempts": 0,
            "not_before": now,
            "source_event_id": f"{tag}-E{i}",
            "correlation_id": uuid.uuid4(),
            "created_at": now,
            "failed_at": None,
        }
        for i in range(n)
    ]


@dataclass(frozen=True)
class Case:
    """One kind of rows: the statement as it is and the shape it replaced (`ways`, in that
    order), `batches` of `low`–`high` rows a round, in the database of `database`'s
    migrations; `setup` writes what the statements change first, untimed."""

    rows: str
    ways: tuple[tuple[str, _Write], tuple[str, _Write]]
    make: Callable[[int, str], Any]
    low: int
    high: int
    batches: int
    database: str
    setup: _Write | None = None


CASES = (
    Case(
        "digests",
        (
            ("keep_digests (unnest)", keep_digests),
            ("multi-row VALUES, as before", _digests_as_values),
        ),
        make=_digests,
        low=50,
        high=400,
        batches=150,
        database="tracking",
    ),
    Case(
        "messages",
        (
            ("insert_messages (unnest)", insert_messages),
            ("executemany, as before", _messages_by_executemany),
        ),
        make=_messages,
        low=20,
        high=300,
        batches=60,
        database="notify",
    ),
    Case(
        "erasures",
        (
            ("erase_dossiers, the batch at once", _erase_batched),
            ("dossier by dossier, as before", _erase_one_by_one),
        ),
        make=_messages,
        low=30,
        high=300,
        batches=40,
        database="notify",
        setup=insert_messages,
    ),
    Case(
        "scrubs",
        (
            ("blank_records (unnest)", blank_records),
            ("a record at a time, as before", _blank_one_by_one),
        ),
        make=_records,
        low=10,
        high=300,
        batches=40,
        database="portal",
        setup=_sent_records,
    ),
)


async def _writes(
    engine: AsyncEngine,
    write: _Write,
    make: Callable[[int, str], Any],
    sizes: list[int],
    tag: str,
    setup: _Write | None = None,
) -> tuple[float, float]:
    """(CPU µs, wall µs) a row, over batches of `sizes`, each in its own transaction
    (`setup`: written first, in a transaction of its own, untimed)."""
    cpu = wall = 0.0
    for b, size in enumerate(sizes):
        batch = make(size, f"{tag}-{b}")
        if setup is not None:
            async with AsyncSession(engine) as session, session.begin():
                await setup(session, batch)
        cpu_at, wall_at = own_cpu(), time.perf_counter()
        async with AsyncSession(engine) as session, session.begin():
            await write(session, batch)
        cpu += own_cpu() - cpu_at
        wall += time.perf_counter() - wall_at
    rows = sum(sizes)
    return cpu / rows * 1e6, wall / rows * 1e6


# -- the queue: the log as it is, against a queue table beside it ------------------------------

_QUEUE_TABLE = """
CREATE TABLE notification_queue (
    id bigint PRIMARY KEY, channel text NOT NULL, not_before timestamptz NOT NULL,
    lease_owner text, lease_until timestamptz
) WITH (fillfactor = 50);
CREATE INDEX notification_queue_due ON notification_queue (channel, not_before, id)
    WHERE lease_owner IS NULL;
CREATE INDEX notification_queue_leased ON notification_queue (lease_until)
    WHERE lease_owner IS NOT NULL;
"""
_RETURNED = "n.id, n.public_id, n.idempotency_key, n.recipient, n.content, n.attempts"
_CLAIM = {
    "log": f"""
        UPDATE notifications AS n SET status = 'sending', lease_owner = 'bench',
            lease_until = now() + interval '60 s', attempts = attempts + 1
        WHERE id IN (SELECT id FROM notifications WHERE status = 'pending'
            AND channel = 'email' AND not_before <= now()
            ORDER BY not_before, id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING {_RETURNED}""",
    "queue beside the log": f"""
        WITH q AS (
            UPDATE notification_queue SET lease_owner = 'bench',
                lease_until = now() + interval '60 s'
            WHERE id IN (SELECT id FROM notification_queue WHERE lease_owner IS NULL
                AND channel = 'email' AND not_before <= now()
                ORDER BY not_before, id LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING id)
        SELECT {_RETURNED} FROM q JOIN notifications AS n USING (id)""",
}
_SETTLE = {
    "log": """
        UPDATE notifications AS n SET status = 'accepted', provider_message_id = v.p,
            sent_at = now(), lease_owner = NULL, lease_until = NULL
        FROM unnest($1::bigint[], $2::text[]) AS v(id, p)
        WHERE n.id = v.id AND n.lease_owner = 'bench' AND n.status = 'sending'""",
    "queue beside the log": """
        WITH done AS (
            DELETE FROM notification_queue AS q USING unnest($1::bigint[]) AS v(id)
            WHERE q.id = v.id AND q.lease_owner = 'bench' RETURNING q.id)
        UPDATE notifications AS n SET status = 'accepted', provider_message_id = v.p,
            sent_at = now(), attempts = n.attempts + 1
        FROM unnest($1::bigint[], $2::text[]) AS v(id, p)
        WHERE n.id = v.id AND n.id IN (SELECT id FROM done)""",
}
_SETTLED = """
INSERT INTO notifications (public_id, idempotency_key, audience, message_type, channel,
    status, recipient, recipient_hash, content, source_event_id, not_before, created_at)
SELECT gen_random_uuid(), 'settled-' || n, 'citizen', 'receipt', 'email', 'delivered',
    'an' || n || '@mail.vn', sha256(n::text::bytea), $2::jsonb, 'E' || n, now(), now()
FROM generate_series(1, $1) AS n
"""


async def _queue(base_url: str, shape: str, settled: int, messages: int) -> dict[str, float]:
    """Wall µs a message to write, claim and settle, and WAL bytes a message."""
    name = f"bench_statements_queue_{int(time.time())}"
    url = await create_database(base_url, name)
    engine = create_engine(DatabaseSettings(url=url))
    try:
        await migrate(engine, Path(motcua_notify.__file__).parent / "migrations")
        await engine.dispose()
        conn = await asyncpg.connect(asyncpg_dsn(base_url, name))
        try:
            if shape != "log":
                await conn.execute(_QUEUE_TABLE)
            await conn.execute(_SETTLED, settled, json_text(_CONTENT))
            await conn.execute("VACUUM ANALYZE notifications")
            return await _queue_steps(conn, shape, messages)
        finally:
            await conn.close()
    finally:
        await engine.dispose()
        await drop_database(base_url, name)


async def _queue_steps(conn: asyncpg.Connection, shape: str, messages: int) -> dict[str, float]:
    steps = dict.fromkeys(("write", "claim", "settle"), 0.0)
    wal_at = await conn.fetchval("SELECT pg_current_wal_lsn()")
    done = 0
    while done < messages:
        rows = _messages(100, f"q{done}")
        at = time.perf_counter()
        async with conn.transaction():
            ids = await _insert_rows(conn, rows)
            if shape != "log":
                await conn.execute(
                    "INSERT INTO notification_queue (id, channel, not_before)"
                    " SELECT unnest($1::bigint[]), 'email', now()",
                    ids,
                )
        claimed_at = time.perf_counter()
        async with conn.transaction():
            claimed = [row["id"] for row in await conn.fetch(_CLAIM[shape], len(rows))]
        settled_at = time.perf_counter()
        async with conn.transaction():
            await conn.execute(_SETTLE[shape], claimed, [f"p{i}" for i in claimed])
        steps["write"] += claimed_at - at
        steps["claim"] += settled_at - claimed_at
        steps["settle"] += time.perf_counter() - settled_at
        done += len(claimed)
    wal = await conn.fetchval("SELECT pg_current_wal_lsn() - $1::pg_lsn", wal_at)
    figures = {step: seconds / done * 1e6 for step, seconds in steps.items()}
    return figures | {"all": sum(figures.values()), "wal": float(wal) / done}


async def _insert_rows(conn: asyncpg.Connection, rows: list[dict[str, Any]]) -> list[int]:
    """The same rows for both shapes, straight through asyncpg; their ids."""
    columns = ("public_id", "idempotency_key", "audience", "message_type", "channel")
    columns += ("status", "recipient", "recipient_hash", "recipient_masked", "content")
    columns += ("template_version", "not_before", "source_event_id", "created_at")
    types = ("uuid", "text", "text", "text", "text", "text", "text", "bytea", "text", "text")
    types += ("int", "timestamptz", "text", "timestamptz")
    arrays = [[json_text(r[c]) if c == "content" else r[c] for r in rows] for c in columns]
    values = ", ".join(f"v.{c}::jsonb" if c == "content" else f"v.{c}" for c in columns)
    unnest = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
    records = await conn.fetch(
        f"INSERT INTO notifications ({', '.join(columns)}) SELECT {values}"
        f" FROM unnest({unnest}) AS v({', '.join(columns)}) RETURNING id",
        *arrays,
    )
    return [record["id"] for record in records]


# -- the run ------------------------------------------------------------------------------------


async def _run(options: argparse.Namespace) -> str:
    _, base_url = infrastructure()
    stamp = int(time.time())
    packages = {"tracking": motcua_tracking, "notify": motcua_notify, "portal": motcua_portal}
    names = {service: f"bench_statements_{service[0]}{stamp}" for service in packages}
    engines = {
        service: create_engine(DatabaseSettings(url=await create_database(base_url, name)))
        for service, name in names.items()
    }
    rng = random.Random(7)
    best: dict[str, tuple[float, float]] = {}
    queue: dict[str, dict[str, float]] = {}
    try:
        for service, package in packages.items():
            await migrate(engines[service], Path(package.__file__).parent / "migrations")
        for round_ in range(options.rounds):
            for case in CASES:
                for label, write in case.ways:
                    sizes = [rng.randint(case.low, case.high) for _ in range(case.batches)]
                    tag = f"r{round_}-{label[:6]}"
                    cpu, wall = await _writes(
                        engines[case.database], write, case.make, sizes, tag, case.setup
                    )
                    print(f"  {case.rows}, {label}: {cpu:.1f} µs CPU, {wall:.1f} µs wall a row")
                    kept = best.get(label)
                    best[label] = (cpu, wall) if kept is None or cpu < kept[0] else kept
    finally:
        for engine in engines.values():
            await engine.dispose()
        for name in names.values():
            await drop_database(base_url, name)
    for shape in ("log", "queue beside the log"):
        queue[shape] = await _queue(base_url, shape, options.settled, options.messages)
        print(f"  queue, {shape}: " + ", ".join(f"{k} {v:,.0f}" for k, v in queue[shape].items()))
    return _report(options, best, queue)


def _report(
    options: argparse.Namespace,
    best: dict[str, tuple[float, float]],
    queue: dict[str, dict[str, float]],
) -> str:
    lines = [
        "## Statements of the hot paths",
        "",
        f"`uv run --frozen python -m bench statements --rounds {options.rounds} --settled"
        f" {options.settled} --messages {options.messages}`: on the local stack's PostgreSQL,"
        " each statement beside the shape it replaced, round after round in turn (best round"
        " of each; see `bench/statements.py`).",
        "",
        "| rows | statement | client CPU µs a row | ratio | wall µs a row | ratio |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for case in CASES:
        new, old = (best[label] for label, _ in case.ways)
        for (label, _), (cpu, wall) in zip(case.ways, (new, old), strict=True):
            lines.append(
                f"| {case.rows} | {label} | {cpu:,.1f} | {cpu / old[0]:.2f}"
                f" | {wall:,.1f} | {wall / old[1]:.2f} |"
            )
    lines += [
        "",
        f"Notify's queue: {options.messages:,} messages written, claimed and settled 100 at a"
        f" time beside {options.settled:,} settled rows; wall µs a message and WAL bytes a"
        " message:",
        "",
        "| shape | write | claim | settle | all | ratio | WAL B | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = queue["log"]
    for shape, f in queue.items():
        lines.append(
            f"| {shape} | {f['write']:,.0f} | {f['claim']:,.0f} | {f['settle']:,.0f}"
            f" | {f['all']:,.0f} | {f['all'] / base['all']:.2f} | {f['wal']:,.0f}"
            f" | {f['wal'] / base['wal']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench statements")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--settled", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    options = parser.parse_args(argv or [])
    body = asyncio.run(_run(options))
    print(body)
    if options.write:
        write_section("statements", body)
