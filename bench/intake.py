"""Intake HTTP commands and NDJSON imports beside raw aiokafka, on the local stack.

uv run python -m bench intake [--seconds 20] [--clients 64] [--replicas 2] [--lines 100000]

Intake replicas (uvicorn processes of the intake app, httptools, uvloop) listen on free
loopback ports and are driven by keep-alive connections of a lean HTTP client
(`bench/loadgen.py`): each registers a dossier and records an event for it, in a loop.
The import streams generated NDJSON lines to one replica.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import orjson
import uvloop
from aiokafka import TopicPartition

from bench.baselines import raw_produce
from bench.loadgen import Connection, connect
from bench.report import write_section
from bench.stack import infrastructure
from motcua.events.topics import TopicSpec
from motcua.messaging.outbox import shard_of
from motcua.settings import KafkaSettings
from motcua.testing import create_database, create_topics, drop_database, free_port
from motcua.testing.kafka import end_offsets, read_since

KEY = "bench-stp-key-000000000000000000"
HEADERS = {"X-API-Key": KEY, "Content-Type": "application/json"}


def _read(path: str) -> str:
    with open(path) as file:
        return file.read()


def _cpu_seconds(pid: int) -> float:
    """User + system time of a process."""
    fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process."""
    found = []
    for path in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = _read(path)
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            found.append((int(path.split("/")[2]), parent, name))
    return found


class CpuMeter:
    """CPU time from /proc: the intake replicas (process trees), this client, the whole
    PostgreSQL server and the Kafka broker (run the benchmark on a quiet stack: both
    serve whatever else runs meanwhile).
    """

    def __init__(self, *server_pids: int) -> None:
        self.server_pids = set(server_pids)

    def sample(self) -> dict[str, float]:
        processes = _processes()
        tree, grew = set(self.server_pids), True
        while grew:
            children = {pid for pid, parent, _ in processes if parent in tree} - tree
            tree |= children
            grew = bool(children)
        totals = {"client": _cpu_seconds(os.getpid()), "server": 0.0, "postgres": 0.0, "kafka": 0.0}
        for pid, _, name in processes:
            part = (
                "server"
                if pid in tree
                else "postgres"
                if name == "postgres"
                else "kafka"
                if name == "java"
                else None
            )
            if part is not None:
                with contextlib.suppress(OSError):
                    totals[part] += _cpu_seconds(pid)
        return totals


@contextlib.contextmanager
def servers(
    database_url: str, kafka: KafkaSettings, replicas: int, topics: tuple[str, str, str]
) -> Iterator[tuple[list[str], CpuMeter]]:
    """`replicas` intake processes, each on its own port (as replicas behind a balancer)."""
    env = {
        **os.environ,
        # Sandbox topics: a benchmark never feeds a running stack's other services.
        "INTAKE_TOPICS__DOSSIER_EVENTS": topics[0],
        "INTAKE_TOPICS__CATALOGUE": topics[1],
        "INTAKE_TOPICS__APPLICANTS": topics[2],
        "INTAKE_DATABASE__URL": database_url,
        "INTAKE_DATABASE__POOL_SIZE": "10",
        **kafka.environment("INTAKE_KAFKA__"),
        "INTAKE_COMMANDS__ENABLED": "false",
        "INTAKE_LOG_LEVEL": "WARNING",
        "INTAKE_BOOTSTRAP_KEYS": json.dumps([{"key": KEY, "agency": "STP"}]),
    }
    ports = [free_port() for _ in range(replicas)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "motcua_intake.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--http",
                "httptools",
                "--loop",
                "uvloop",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        for port in ports
    ]
    try:
        yield (
            [f"http://127.0.0.1:{port}" for port in ports],
            CpuMeter(*(process.pid for process in processes)),
        )
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


async def wait_ready(base: str, patience: float = 60) -> None:
    deadline = time.monotonic() + patience
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError("the intake server did not become ready")


def registration(received_at: datetime) -> dict:
    return {
        "procedure_code": "2.001417",
        "agency_code": "STP",
        "unit_code": "STP.MC",
        "channel": "counter",
        "applicant": {
            "name": "Nguyễn Văn An",
            "national_id": "025090000123",
            "phone": "0912345678",
            "email": "an.nguyen@example.vn",
            "consent": {"email": True, "sms": True},
        },
        "components": [{"name": "Tờ khai", "original": True}],
        "received_at": received_at.isoformat(),
        "digitised": True,
    }


Flow = Callable[[Connection, list[float]], Awaitable[int]]


async def drive(
    bases: list[str], seconds: float, clients: int, meter: CpuMeter, flow: Flow
) -> dict[str, float]:
    """`clients` connections run `flow` in a loop for `seconds`, after a short warm-up.

    Connections are spread evenly over the replicas `bases`.

    `flow` sends one or more requests, appends each one's latency and returns how many
    failed.
    """
    latencies: list[float] = []
    failures = 0
    connections = [await connect(bases[i % len(bases)]) for i in range(clients)]

    async def loop(connection: Connection, stop_at: float) -> None:
        nonlocal failures
        while time.perf_counter() < stop_at:
            failures += await flow(connection, latencies)

    try:
        await asyncio.gather(*(loop(c, time.perf_counter() + 2) for c in connections[:8]))
        latencies.clear()
        failures = 0
        before = meter.sample()
        started = time.perf_counter()
        await asyncio.gather(*(loop(c, started + seconds) for c in connections))
        elapsed = time.perf_counter() - started
        after = meter.sample()
    finally:
        for connection in connections:
            connection.close()
    ordered = sorted(latencies)
    return {
        **{f"cpu_{k}": (after[k] - before[k]) / len(ordered) * 1000 for k in after},
        "rate": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "requests": len(ordered),
        "failures": failures,
    }


async def register_then_transfer(connection: Connection, latencies: list[float]) -> int:
    """Register a dossier (with an Idempotency-Key), then record its transfer."""
    now = datetime.now(UTC)
    started = time.perf_counter()
    response = await connection.request(
        "POST",
        "/v1/dossiers",
        orjson.dumps(registration(now - timedelta(seconds=30))),
        {**HEADERS, "Idempotency-Key": uuid.uuid4().hex},
    )
    latencies.append(time.perf_counter() - started)
    if response.status != 201:
        return 1
    code = orjson.loads(response.body)["code"]
    event = {
        "type": "transferred",
        "from_unit": "STP.MC",
        "to_unit": "STP.HCTP",
        "occurred_at": now.isoformat(),
    }
    started = time.perf_counter()
    response = await connection.request(
        "POST", f"/v1/dossiers/{code}/events", orjson.dumps(event), HEADERS
    )
    latencies.append(time.perf_counter() - started)
    return int(response.status != 201)


async def health(connection: Connection, latencies: list[float]) -> int:
    """`GET /health`: what the HTTP stack and this client cost alone."""
    started = time.perf_counter()
    response = await connection.request("GET", "/health")
    latencies.append(time.perf_counter() - started)
    return int(response.status != 200)


async def ndjson(lines: int, chunk: int = 256 * 1024) -> AsyncIterator[bytes]:
    now = datetime.now(UTC)
    line = (
        orjson.dumps({"kind": "registration", "dossier": registration(now - timedelta(minutes=1))})
        + b"\n"
    )
    per_chunk = max(1, chunk // len(line))
    sent = 0
    while sent < lines:
        n = min(per_chunk, lines - sent)
        yield line * n
        sent += n


async def http_import(
    base: str, lines: int, meter: CpuMeter, database_url: str
) -> dict[str, float]:
    """Stream the import; then wait until the outbox relays have put every event on Kafka.

    The rate is lines over the time to the import's answer (lines checked and stored);
    `published` is the time until the last of their events left the outbox. CPU is counted
    over both.
    """
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        before = meter.sample()
        started = time.perf_counter()
        response = await client.post(
            "/v1/imports",
            content=ndjson(lines),
            headers={"X-API-Key": KEY, "content-type": "application/x-ndjson"},
        )
        elapsed = time.perf_counter() - started
    report = response.json()
    if report.get("accepted") != lines:
        raise RuntimeError(f"import refused lines: {str(report)[:500]}")
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        pending = "SELECT EXISTS (SELECT 1 FROM outbox)"
        while True:
            if not await connection.fetchval(pending):
                break
            await asyncio.sleep(0.05)
    finally:
        await connection.close()
    published = time.perf_counter() - started
    after = meter.sample()
    cpu = {f"cpu_{k}": (after[k] - before[k]) / lines * 1e6 for k in after}
    return {"rate": lines / elapsed, "published": lines / published, "lines": lines, **cpu}


_IMPORTED = {
    "dossier_events": "id > $1",
    "dossiers": "code IN (SELECT dossier_code FROM dossier_events WHERE id > $1)",
    "applicants": "dossier_code IN (SELECT dossier_code FROM dossier_events WHERE id > $1)",
}
"""The rows the import wrote and keeps, by table: those after the mark taken before it."""


async def mark(database_url: str) -> int:
    """The last `dossier_events` id before the import."""
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        return int(await connection.fetchval("SELECT coalesce(max(id), 0) FROM dossier_events"))
    finally:
        await connection.close()


async def published(kafka: KafkaSettings, topics: tuple[TopicSpec, ...]) -> list[Any]:
    """Every record on `topics` now, from the beginning."""
    ends: dict[TopicPartition, int] = {}
    for spec in topics:
        ends |= await end_offsets(kafka, spec)
    total = sum(ends.values())
    return await read_since(kafka, dict.fromkeys(ends, 0), lambda got: len(got) >= total, 120)


async def import_floor(
    kafka: KafkaSettings,
    database_url: str,
    after: int,
    lines: int,
    topics: tuple[TopicSpec, TopicSpec],
) -> dict[str, float]:
    """The import's physical floor, on what it wrote: PostgreSQL COPY of the same rows into
    empty copies of its tables (indexes and constraints included, one transaction), then a
    raw idempotent produce of the same events to a topic of its own.

    The outbox rows are gone once published: they are rebuilt from the records Kafka holds
    (the import's events, and the applicant records of its dossiers)."""
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    copied = rows = 0.0
    try:
        taken = {
            table: await connection.fetch(f"SELECT * FROM {table} WHERE {where}", after)
            for table, where in _IMPORTED.items()
        }
        ids = {record["event_id"] for record in taken["dossier_events"]}
        codes = {record["code"] for record in taken["dossiers"]}
        # (event_id, topic, key, shard, payload) of the import's events and of its
        # dossiers' applicant records (the other topic).
        outbox = []
        for record in await published(kafka, topics):
            event_id = uuid.UUID(dict(record.headers)["event-id"].decode())
            key = record.key.decode()
            if event_id in ids if record.topic == topics[0].name else key in codes:
                outbox.append((event_id, record.topic, key, shard_of(key), record.value))
        if len(outbox) != 2 * lines:
            raise RuntimeError(f"expected {2 * lines} of the import's records, found {len(outbox)}")
        taken["outbox"] = outbox
        for table in taken:
            await connection.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        columns = {"outbox": ["event_id", "topic", "key", "shard", "payload"]}
        started = time.perf_counter()
        async with connection.transaction():
            for table, records in taken.items():
                await connection.copy_records_to_table(
                    f"floor_{table}", records=records, columns=columns.get(table)
                )
                rows += len(records)
        copied = time.perf_counter() - started
    finally:
        await connection.close()
    events = [(key.encode(), payload) for _, _, key, _, payload in taken["outbox"]]
    topic = f"bench.intake-floor.{uuid.uuid4().hex[:8]}.v1"
    await create_topics(kafka, [TopicSpec(topic, 6)])
    produced = len(events) / await raw_produce(kafka, topic, events)
    return {
        "rate": lines / (copied + produced),
        "copy_s": copied,
        "produce_s": produced,
        "rows": rows,
        "events": len(events),
    }


async def intake_sized_produce(kafka: KafkaSettings, n: int) -> float:
    """The ceiling: raw produce of intake-sized (2.3 kB) records on a topic of its own."""
    topic = f"bench.intake-raw.{uuid.uuid4().hex[:8]}.v1"
    await create_topics(kafka, [TopicSpec(topic, 6)])
    payload = os.urandom(1150).hex().encode()
    return await raw_produce(
        kafka, topic, [(f"STP-261120-{i:05d}".encode(), payload) for i in range(n)]
    )


async def run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    kafka, base_url = infrastructure()
    load_before = os.getloadavg()[0]
    name = f"bench_intake_{uuid.uuid4().hex[:8]}"
    await create_database(base_url, name)
    dossiers, catalogue, applicants = (
        TopicSpec(f"bench.intake-dossiers.{name}.v1", 6),
        TopicSpec(f"bench.intake-catalogue.{name}.v1", 3),
        TopicSpec(f"bench.intake-applicants.{name}.v1", 6),
    )
    await create_topics(kafka, [dossiers, catalogue, applicants])
    results: dict[str, dict[str, float]] = {}
    try:
        url = f"{base_url}/{name}"
        topics = (dossiers.name, catalogue.name, applicants.name)
        with servers(url, kafka, args.replicas, topics) as (bases, meter):
            for base in bases:
                await wait_ready(base)
            results["health"] = await drive(bases, 5, args.clients, meter, health)
            results["http"] = await drive(
                bases, args.seconds, args.clients, meter, register_then_transfer
            )
            before_import = await mark(url)
            results["import"] = await http_import(bases[0], args.lines, meter, url)
        results["floor"] = await import_floor(
            kafka, url, before_import, args.lines, (dossiers, applicants)
        )
        results["raw"] = {"rate": await intake_sized_produce(kafka, 50_000)}
        results["load"] = {"before": load_before, "after": os.getloadavg()[0]}
    finally:
        await drop_database(base_url, name)
    return results


def report(args: argparse.Namespace, r: dict[str, dict[str, float]]) -> str:
    raw = r["raw"]["rate"]
    http, imported, health, floor = r["http"], r["import"], r["health"], r["floor"]

    def cpu(result: dict[str, float], unit: str) -> str:
        return (
            " / ".join(
                f"{result[f'cpu_{part}']:.2f}" for part in ("client", "server", "postgres", "kafka")
            )
            + f" {unit}"
        )

    def verdict(rate: float, target: float, what: str) -> str:
        met = "met" if rate >= target else "NOT met"
        return f"{what}: {rate:,.0f} against ≥ {target:,.0f}, target {met}."

    return "\n".join(
        [
            "## Intake service (issue: intake)",
            "",
            f"`uv run python -m bench intake --seconds {args.seconds:g} --clients {args.clients}"
            f" --replicas {args.replicas} --lines {args.lines}`: {args.replicas} intake"
            " processes (uvicorn, httptools, uvloop; each with its outbox relay, as replicas"
            " behind a balancer) on loopback, beside the stack's PostgreSQL and Kafka.",
            "HTTP: keep-alive connections spread over the replicas (`bench/loadgen.py`, a"
            " lean HTTP/1.1 client); each registers a dossier (with an Idempotency-Key), then"
            " records a transfer for it. Import: one streamed NDJSON body of registrations to"
            " one replica.",
            "CPU is process time from /proc per request or line: client / intake replicas /"
            " the PostgreSQL server / the Kafka broker.",
            "",
            "| path | rate | p50 | p99 | CPU client / intake / PostgreSQL / Kafka | ratio to raw |",
            "|---|---:|---:|---:|---:|---:|",
            f"| raw aiokafka produce, 2.3 kB records (idempotent, acks=all) — ceiling"
            f" | {raw:,.0f} msg/s | – | – | – | 1.00 |",
            f"| `GET /health` with the same clients — ceiling of client and HTTP stack"
            f" | {health['rate']:,.0f} /s | {health['p50']:.1f} ms | {health['p99']:.1f} ms"
            f" | {cpu(health, 'ms')} | {health['rate'] / raw:.3f} |",
            f"| HTTP commands (register + event), {int(http['requests']):,} requests,"
            f" {int(http['failures'])} failed | {http['rate']:,.0f} /s | {http['p50']:.1f} ms"
            f" | {http['p99']:.1f} ms | {cpu(http, 'ms')} | {http['rate'] / raw:.3f} |",
            f"| NDJSON import, {int(imported['lines']):,} registrations"
            f" | {imported['rate']:,.0f} lines/s | – | – | {cpu(imported, 'µs')}"
            f" | {imported['rate'] / raw:.2f} |",
            f"| the same import, until its last event is on Kafka"
            f" | {imported['published']:,.0f} lines/s | – | – | (same) |"
            f" {imported['published'] / raw:.2f} |",
            "",
            "The import's floor, measured in the same run on what it wrote: PostgreSQL COPY"
            f" of the same {int(floor['rows']):,} rows (dossiers, events, applicants, and the"
            " outbox rows, rebuilt from the records on Kafka since they leave once published)"
            f" into empty copies of their tables with their indexes, in one transaction"
            f" ({floor['copy_s']:.2f} s), then a raw idempotent produce of the same"
            f" {int(floor['events']):,} events ({floor['produce_s']:.2f} s):"
            f" **{floor['rate']:,.0f} lines/s**. The import ran at"
            f" **{imported['rate'] / floor['rate']:.2f} of its floor** answered, and"
            f" {imported['published'] / floor['rate']:.2f} until its last event was on Kafka.",
            "",
            verdict(http["rate"], 1_500, "HTTP commands/s"),
            verdict(imported["rate"], 20_000, "Import lines/s")
            + f" Against its floor: {imported['rate'] / floor['rate']:.2f}"
            + f" (≥ 0.5: {'met' if imported['rate'] >= 0.5 * floor['rate'] else 'NOT met'}).",
            f"At 20,000 lines/s the machine's {os.cpu_count()} cores give"
            f" {os.cpu_count() / 20_000 * 1e6:,.0f} µs of CPU a line, all processes together;"
            " this import spent"
            f" {sum(imported[f'cpu_{p}'] for p in ('client', 'server', 'postgres', 'kafka')):,.0f}"
            f" µs a line, {imported['cpu_postgres'] + imported['cpu_kafka']:,.0f} of them in"
            " PostgreSQL and Kafka alone (each line stores a dossier, its event, its"
            " applicant's digest and two outbox rows, and publishes the reception and the"
            " applicant's record).",
            f"Load average of the machine: {r['load']['before']:.1f} before the run,"
            f" {r['load']['after']:.1f} after it.",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args(argv)
    results = uvloop.run(run(args))
    text = report(args, results)
    print(text)
    write_section("intake", text)
