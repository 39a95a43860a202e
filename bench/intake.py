"""Intake HTTP commands and NDJSON imports beside raw aiokafka, on the local stack.

uv run python -m bench intake [--seconds 20] [--clients 64] [--workers 1] [--lines 100000]

A real uvicorn server of the intake app (httptools, uvloop) listens on a free loopback
port and is driven by concurrent httpx clients: each client registers a dossier and
records an event for it, in a loop. The import streams generated NDJSON lines.
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
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import orjson
from aiokafka import AIOKafkaProducer

from bench.report import write_section
from bench.stack import free_port, infrastructure
from motcua.events.topics import TopicSpec
from motcua.messaging.kafka import create_topics
from motcua.testing.infra import create_database, drop_database

KEY = "bench-stp-key-000000000000000000"


def _read(path: str) -> str:
    with open(path) as file:
        return file.read()


def _cpu_seconds(pid: int) -> float:
    """User + system time of a process."""
    fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _parents() -> list[tuple[int, int]]:
    """(pid, parent pid) of every process."""
    found = []
    for path in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parent = int(_read(path).rsplit(")", 1)[1].split()[1])
            found.append((int(path.split("/")[2]), parent))
    return found


class CpuMeter:
    """CPU time of the server (a process tree) and of this client, from /proc.

    PostgreSQL is left out: the local stack's server is shared with other databases.
    """

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def sample(self) -> dict[str, float]:
        processes = _parents()
        tree, grew = {self.server_pid}, True
        while grew:
            children = {pid for pid, parent in processes if parent in tree} - tree
            tree |= children
            grew = bool(children)
        server = 0.0
        for pid in tree:
            with contextlib.suppress(OSError):
                server += _cpu_seconds(pid)
        return {"client": _cpu_seconds(os.getpid()), "server": server}


@contextlib.contextmanager
def server(
    database_url: str, bootstrap: str, port: int, workers: int, topics: tuple[str, str]
) -> Iterator[tuple[str, CpuMeter]]:
    env = {
        **os.environ,
        # Sandbox topics: a benchmark never feeds a running stack's other services.
        "INTAKE_TOPICS__DOSSIER_EVENTS": topics[0],
        "INTAKE_TOPICS__CATALOGUE": topics[1],
        "INTAKE_DATABASE__URL": database_url,
        "INTAKE_DATABASE__POOL_SIZE": "10",
        "INTAKE_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
        "INTAKE_COMMANDS__ENABLED": "false",
        "INTAKE_LOG_LEVEL": "WARNING",
        "INTAKE_BOOTSTRAP_KEYS": json.dumps([{"key": KEY, "agency": "STP"}]),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "motcua_intake.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    try:
        yield f"http://127.0.0.1:{port}", CpuMeter(process.pid)
    finally:
        process.send_signal(signal.SIGINT)
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
                    # Every worker migrates and seeds; let them all finish.
                    await asyncio.sleep(2)
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


async def http_commands(
    base: str, seconds: float, clients: int, meter: CpuMeter
) -> dict[str, float]:
    """Each client: register a dossier, record a transfer, repeat until time is up."""
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"X-API-Key": KEY}

    async def client_loop(client: httpx.AsyncClient, stop_at: float) -> None:
        nonlocal failures
        while time.perf_counter() < stop_at:
            now = datetime.now(UTC)
            started = time.perf_counter()
            response = await client.post(
                "/v1/dossiers",
                content=orjson.dumps(registration(now - timedelta(seconds=30))),
                headers={
                    **headers,
                    "Idempotency-Key": uuid.uuid4().hex,
                    "content-type": "application/json",
                },
            )
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                failures += 1
                continue
            code = response.json()["code"]
            started = time.perf_counter()
            event = {
                "type": "transferred",
                "from_unit": "STP.MC",
                "to_unit": "STP.HCTP",
                "occurred_at": now.isoformat(),
            }
            response = await client.post(
                f"/v1/dossiers/{code}/events",
                content=orjson.dumps(event),
                headers={**headers, "content-type": "application/json"},
            )
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 201

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(client_loop(client, time.perf_counter() + 2) for _ in range(8)))
        latencies.clear()
        before = meter.sample()
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client, started + seconds) for _ in range(clients)))
        elapsed = time.perf_counter() - started
        after = meter.sample()
    ordered = sorted(latencies)
    return {
        **{f"cpu_{k}": (after[k] - before[k]) / len(ordered) * 1000 for k in after},
        "rate": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "requests": len(ordered),
        "failures": failures,
    }


async def http_baseline(
    base: str, seconds: float, clients: int, meter: CpuMeter
) -> dict[str, float]:
    """The same clients on `GET /health`: what the HTTP stack and client cost alone."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(client: httpx.AsyncClient, stop_at: float) -> None:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            await client.get("/health")
            latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(client_loop(client, time.perf_counter() + 2) for _ in range(8)))
        latencies.clear()
        before = meter.sample()
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client, started + seconds) for _ in range(clients)))
        elapsed = time.perf_counter() - started
        after = meter.sample()
    ordered = sorted(latencies)
    return {
        **{f"cpu_{k}": (after[k] - before[k]) / len(ordered) * 1000 for k in after},
        "rate": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "requests": len(ordered),
    }


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


async def http_import(base: str, lines: int, meter: CpuMeter) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        before = meter.sample()
        started = time.perf_counter()
        response = await client.post(
            "/v1/imports",
            content=ndjson(lines),
            headers={"X-API-Key": KEY, "content-type": "application/x-ndjson"},
        )
        elapsed = time.perf_counter() - started
        after = meter.sample()
    report = response.json()
    if report.get("accepted") != lines:
        raise RuntimeError(f"import refused lines: {str(report)[:500]}")
    cpu = {f"cpu_{k}": (after[k] - before[k]) / lines * 1e6 for k in after}
    return {"rate": lines / elapsed, "lines": lines, **cpu}


async def raw_produce(bootstrap: str, n: int) -> float:
    """The ceiling: idempotent acks=all produce of intake-sized (2.3 kB) records."""
    topic = f"bench.intake-raw.{uuid.uuid4().hex[:8]}.v1"
    await create_topics(bootstrap, [TopicSpec(topic, 6)])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    payload = os.urandom(1150).hex().encode()
    try:
        started = time.perf_counter()
        futures = [
            await producer.send(topic, payload, key=f"STP-261120-{i:05d}".encode())
            for i in range(n)
        ]
        await asyncio.gather(*futures)
        return n / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    bootstrap, base_url = infrastructure()
    load_before = os.getloadavg()[0]
    name = f"bench_intake_{uuid.uuid4().hex[:8]}"
    await create_database(base_url, name)
    topics = (f"bench.intake-dossiers.{name}.v1", f"bench.intake-catalogue.{name}.v1")
    await create_topics(bootstrap, [TopicSpec(topics[0], 6), TopicSpec(topics[1], 3)])
    results: dict[str, dict[str, float]] = {}
    try:
        url = f"{base_url}/{name}"
        with server(url, bootstrap, free_port(), args.workers, topics) as (base, meter):
            await wait_ready(base)
            results["http"] = await http_commands(base, args.seconds, args.clients, meter)
            results["health"] = await http_baseline(base, 5, args.clients, meter)
            results["import"] = await http_import(base, args.lines, meter)
        results["raw"] = {"rate": await raw_produce(bootstrap, 50_000)}
        results["load"] = {"before": load_before, "after": os.getloadavg()[0]}
    finally:
        await drop_database(base_url, name)
    return results


def report(args: argparse.Namespace, r: dict[str, dict[str, float]]) -> str:
    raw = r["raw"]["rate"]
    http, imported, health = r["http"], r["import"], r["health"]

    def cpu(result: dict[str, float], unit: str) -> str:
        return f"{result['cpu_client']:.2f} / {result['cpu_server']:.2f} {unit}"

    return "\n".join(
        [
            "## Intake service (issue: intake)",
            "",
            f"`uv run python -m bench intake --seconds {args.seconds:g} --clients {args.clients}"
            f" --workers {args.workers} --lines {args.lines}`: uvicorn (workers: {args.workers},"
            " httptools, uvloop) on loopback; its outbox relay publishes meanwhile.",
            "HTTP: each client registers a dossier (with an Idempotency-Key), then records a"
            " transfer for it. Import: one streamed NDJSON body of registrations.",
            "Targets: ≥ 1,500 HTTP commands/s and ≥ 20,000 import lines/s.",
            "CPU is process time from /proc per request or line: the httpx client, and the"
            " intake server (all workers, their outbox relays included).",
            "",
            "| path | rate | p50 | p99 | CPU client / server | ratio to raw |",
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
            "",
            f"Load average of the machine: {r['load']['before']:.1f} before the run,"
            f" {r['load']['after']:.1f} after it. The `/health` row bounds what this client"
            " can drive here: the HTTP rates are limited by the httpx client's CPU and the"
            " shared cores, not by the intake server (see its CPU per command).",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    text = report(args, results)
    print(text)
    write_section("intake", text)
