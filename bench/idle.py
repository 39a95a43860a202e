"""What the services, PostgreSQL and Kafka cost while nothing happens: CPU share of one core.

uv run python -m bench idle [--seconds 60] [--settle 20] [--before REV] [--write]

A stack of its own (`$MOTCUA_STATE_DIR`, default `.local-idle/`: its own PostgreSQL
cluster and Kafka broker, so nobody else's work is counted) runs the five services and
the sinks they talk to, on the system clock, with no traffic. Once every service answers
`/ready` and a settling pause has passed, the CPU ticks of each process are read from
`/proc/<pid>/stat` at the start and the end of the window (PostgreSQL: the postmaster
and its backends, with the children that ended meanwhile). `--before REV` first runs
the services from the sources of a git revision (`git archive`, put first on
PYTHONPATH) on the same broker and database server (the service databases are created
afresh for each column), so both columns come from one run. The
machine's load average and busy share are printed beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx

from bench.procstat import Window, measure
from bench.report import write_section
from motcua.events.topics import SERVICES
from motcua_devstack import postgres, services, sinks
from motcua_devstack.layout import STATE_ENV, Layout, find_root
from motcua_devstack.ports import load_ports
from motcua_devstack.stack import Stack

TARGET = 1.0  # % of one core per service
STATE = ".local-idle"


@contextmanager
def _sources(revision: str | None) -> Iterator[str | None]:
    """PYTHONPATH putting a revision's packages before the working tree's (None: as is)."""
    if revision is None:
        yield None
        return
    root = find_root()
    with tempfile.TemporaryDirectory(prefix="motcua-idle-") as folder:
        archive = Path(folder) / "src.tar"
        subprocess.run(
            ["git", "archive", "-o", str(archive), revision, "shared/src", "services"],
            cwd=root,
            check=True,
        )
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
        paths = [Path(folder) / "shared" / "src"]
        paths += sorted((Path(folder) / "services").glob("*/src"))
        yield os.pathsep.join(str(p) for p in paths)


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/ready", timeout=5).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


async def _recreate_databases(url: str) -> None:
    connection = await asyncpg.connect(postgres.asyncpg_dsn(url), timeout=10)
    try:
        for name in SERVICES:
            quoted = postgres.quote_identifier(name)
            await connection.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        await connection.close()
    await postgres.ensure_databases(url, SERVICES)


def _run_services(stack: Stack, pythonpath: str | None, settle: float, seconds: float) -> Window:
    """Start the services (from `pythonpath` first when given) on empty databases, let them
    settle, measure, stop them."""
    url = postgres.base_url(load_ports(stack.layout)["postgres"])
    asyncio.run(_recreate_databases(url))  # each revision migrates its own schema
    previous = os.environ.get("PYTHONPATH")
    if pythonpath is not None:
        os.environ["PYTHONPATH"] = pythonpath
    try:
        for service in SERVICES:
            stack.stop(service)  # one left running would run other code
            stack.start(service)
    finally:
        os.environ.pop("PYTHONPATH", None)
        if previous is not None:
            os.environ["PYTHONPATH"] = previous
    try:
        ports = load_ports(stack.layout)
        deadline = time.monotonic() + 120
        waiting = list(SERVICES)
        while waiting and time.monotonic() < deadline:
            waiting = [s for s in waiting if not _ready(services.url(ports[s]))]
            time.sleep(1)
        if waiting:
            raise SystemExit(f"not ready after 120 s: {', '.join(waiting)}")
        time.sleep(settle)
        pids = {name: _pid(stack, name) for name in [*SERVICES, "postgres", "kafka"]}
        return measure(pids, seconds)
    finally:
        for service in SERVICES:
            stack.stop(service)


def _pid(stack: Stack, name: str) -> int:
    pid = postgres.running_pid(stack.layout) if name == "postgres" else stack.pid(name)
    if pid is None:
        raise SystemExit(f"{name} is not running")
    return pid


def _table(columns: dict[str, Window]) -> str:
    names = [*SERVICES, "postgres", "kafka"]
    header = "| process | " + " | ".join(f"{c} (% of a core)" for c in columns) + " |"
    lines = [header, "|---|" + "---:|" * len(columns)]
    for name in names:
        cells = " | ".join(f"{w.shares[name]:.2f}" for w in columns.values())
        lines.append(f"| {name} | {cells} |")
    services_total = " | ".join(
        f"{sum(w.shares[s] for s in SERVICES):.2f}" for w in columns.values()
    )
    everything = " | ".join(f"{sum(w.shares.values()):.2f}" for w in columns.values())
    lines.append(f"| **the five services** | {services_total} |")
    lines.append(f"| **with PostgreSQL and Kafka** | {everything} |")
    return "\n".join(lines)


def _conditions(columns: dict[str, Window]) -> str:
    return "; ".join(
        f"{label}: {w.seconds:.0f} s, load average {w.load[0]:.1f} → {w.load[1]:.1f} "
        f"on {os.cpu_count()} cores, machine {w.busy:.0f} % busy"
        for label, w in columns.items()
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench idle")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=20.0)
    parser.add_argument("--before", metavar="REV", help="also measure the services at REV")
    parser.add_argument("--keep", action="store_true", help="leave the idle stack running")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv)

    state = os.environ.get(STATE_ENV) or STATE
    if Path(state).name == ".local":
        raise SystemExit("measure idle cost on a stack of its own, not the shared .local/")
    stack = Stack(Layout(find_root(), state), report=lambda line: None)
    stack.up(infra_only=True)
    for sink in sinks.wanted(list(SERVICES)):
        stack.start(sink)
    columns: dict[str, Window] = {}
    try:
        if args.before:
            with _sources(args.before) as path:
                columns[f"before ({args.before})"] = _run_services(
                    stack, path, args.settle, args.seconds
                )
        columns["now"] = _run_services(stack, None, args.settle, args.seconds)
    finally:
        if not args.keep:
            stack.down()
    table = _table(columns)
    print(table)
    print(_conditions(columns))
    if args.write:
        _write(args, columns, table)


def _write(args: argparse.Namespace, columns: dict[str, Window], table: str) -> None:
    command = "uv run --frozen python -m bench idle"
    command += f" --seconds {args.seconds:g} --settle {args.settle:g}"
    if args.before:
        command += f" --before {args.before}"
    now = columns["now"].shares
    over = [s for s in SERVICES if now[s] > TARGET]
    verdict = (
        f"Target met: every service ≤ {TARGET:g} % of a core when idle."
        if not over
        else f"Target missed by: {', '.join(over)}."
    )
    body = f"""## Idle cost (issue: ready to deploy, pleasant to use)

`{command}`

A stack of its own (`.local-idle/`: PostgreSQL, Kafka, the sinks; no Prometheus) runs the
five services on the system clock with no traffic; after every service answers `/ready`
and {args.settle:g} s more, each process's CPU time over {args.seconds:g} s is read from
`/proc/<pid>/stat` (PostgreSQL: the postmaster, its backends and those that ended). The
`before` column runs the services of that revision on the same broker and database server.
Target: ≤ {TARGET:g} % of a core per service.

{table}

{verdict}
Idle, the loops wait instead of polling: the outbox relay for a NOTIFY from an outbox
trigger, tracking's timers for the next fire time or a stored timer, scoring's feed for
marked keys, notify's senders and portal's passes for queued work or the next due row,
each with a 5 s safety poll; consumers poll Kafka without FastStream's pause between
empty polls, with a 1 s fetch wait and the client's safety wake-up every 2 s (was 200 ms).

Conditions: {_conditions(columns)}. The machine is shared with other work, which does not
count in these figures (CPU time of the measured processes only) but slows them.
"""
    write_section("idle", body)
