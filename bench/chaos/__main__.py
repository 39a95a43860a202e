"""`make chaos`: faults under a steady load, on a stack of its own (`.local-chaos/`).

    uv run python -m bench.chaos [--short] [--instances 2] [--no-write]

The demo's seeded simulator plays one office day through intake's HTTP API (evenly
spread arrivals) on a simulated clock. Meanwhile, in turn: every service is killed
(`kill -9`) and started again, Kafka and PostgreSQL are restarted, and tracking is
frozen (SIGSTOP) for 30 s. After each fault the suite waits until every path works
again: an HTTP write, each service's consumer, each relay. Once the day is played and
everything has drained, what the services hold is compared with the simulator's own
record (`bench.chaos.truth`). The result goes to the "Faults" section of BENCHMARKS.md.

Pass: nothing lost, doubled or missing, and every path recovered within 30 s of each
fault's end. Exit status 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import httpx

from bench.chaos.load import RetryingIntake
from bench.chaos.report import render
from bench.chaos.stack import ChaosStack
from bench.chaos.truth import Verdict, compare, inject_malformed
from bench.chaos.watch import Watcher
from bench.report import write_section
from motcua.clock import SimulatedClock
from motcua.settings import KafkaSettings
from motcua_demo.calendar import VIETNAM
from motcua_demo.readiness import backlog
from motcua_demo.scenario import Mix, plan_week
from motcua_demo.simulator import Simulator
from motcua_devstack.credentials import credentials

RECOVERY_BOUND = 30.0
PATIENCE = 90.0
DAY = date(2026, 6, 1)
OPENS, CLOSES = timedelta(hours=7, minutes=30), timedelta(hours=18)
MALFORMED = 3


@dataclass
class Fault:
    """One fault: what it does, and what was measured around it."""

    name: str
    act: Callable[[ChaosStack], float]
    recovery: dict[str, float | None] = field(default_factory=dict)
    reread: dict[str, float] = field(default_factory=dict)
    took: float = 0.0

    def recovered(self) -> bool:
        return all(s is not None and s <= RECOVERY_BOUND for s in self.recovery.values())


def _kill(name: str) -> Callable[[ChaosStack], float]:
    def act(stack: ChaosStack) -> float:
        stack.kill(name)
        ended = time.monotonic()
        stack.stack.start(name)
        return ended

    return act


def _restart(component: str) -> Callable[[ChaosStack], float]:
    def act(stack: ChaosStack) -> float:
        stack.restart(component)
        return time.monotonic()

    return act


def _freeze(name: str, seconds: float) -> Callable[[ChaosStack], float]:
    def act(stack: ChaosStack) -> float:
        stack.freeze(name)
        time.sleep(seconds)
        stack.thaw(name)
        return time.monotonic()

    return act


def faults(short: bool) -> list[Fault]:
    if short:
        return [
            Fault("kill -9 notify", _kill("notify")),
            Fault("restart Kafka", _restart("kafka")),
            Fault("restart PostgreSQL", _restart("postgres")),
        ]
    return [
        *(
            Fault(f"kill -9 {s}", _kill(s))
            for s in ("intake", "tracking", "scoring", "notify", "portal")
        ),
        Fault("restart Kafka", _restart("kafka")),
        Fault("restart PostgreSQL", _restart("postgres")),
        Fault("SIGSTOP tracking 30 s", _freeze("tracking", 30)),
    ]


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--short", action="store_true", help="three faults, a shorter day (CI)")
    parser.add_argument("--instances", type=int, default=1, choices=(1, 2))
    parser.add_argument("--per-office", type=int, default=0, help="dossiers per office")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    return parser.parse_args(argv)


async def _run_faults(stack: ChaosStack, watcher: Watcher, chosen: list[Fault]) -> None:
    paths = watcher.paths()
    for fault in chosen:
        await _wait_for_traffic(watcher, paths)
        live = [p for p in paths if watcher.progress[p]]
        before = dict(watcher.reread)
        began = time.monotonic()
        print(f"fault: {fault.name}", flush=True)
        ended = await asyncio.to_thread(fault.act, stack)
        fault.took = ended - began
        deadline = ended + PATIENCE
        while time.monotonic() < deadline:
            fault.recovery = {p: watcher.first_after(p, ended) for p in live}
            if all(v is not None for v in fault.recovery.values()):
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # re-reads after a rebalance show up a little later
        fault.reread = {
            s: n - before.get(s, 0.0) for s, n in watcher.reread.items() if n > before.get(s, 0)
        }
        shown = {p: (f"{v:.1f}s" if v is not None else "never") for p, v in fault.recovery.items()}
        print(f"  recovered: {shown}; re-read: {fault.reread}", flush=True)


async def _wait_for_traffic(watcher: Watcher, paths: list[str], within: float = 120) -> None:
    """Until every path that carries traffic (the HTTP writes, every consumer and the
    relays seen so far) has shown progress in the last few seconds, or `within` passed."""
    deadline = time.monotonic() + within
    needed = [p for p in paths if p == "http write" or p.endswith("consumer")]
    while time.monotonic() < deadline:
        recent = time.monotonic() - 5
        live = {p for p in paths if watcher.progress[p]} | set(needed)
        if all(watcher.progress[p] and watcher.progress[p][-1] > recent for p in live):
            return
        await asyncio.sleep(0.5)
    print("  (not every path carried traffic before this fault)", flush=True)


async def _drain(kafka: KafkaSettings, within: float = 180) -> bool:
    """Until every consumer group has committed to the end of its topics, three times."""
    deadline, calm = time.monotonic() + within, 0
    while time.monotonic() < deadline:
        try:
            calm = calm + 1 if not any((await backlog(kafka)).values()) else 0
        except Exception:  # the broker may still be settling
            calm = 0
        if calm >= 3:
            return True
        await asyncio.sleep(2)
    return False


async def _play(
    args: argparse.Namespace,
    stack: ChaosStack,
    environment: dict[str, str],
    clock: SimulatedClock,
    chosen: list[Fault],
) -> tuple[Verdict, dict[str, float]]:
    instances = stack.instances()
    intakes = [i.url for i in instances if i.service == "intake"]
    clients = [httpx.AsyncClient(base_url=u, timeout=10) for u in intakes]
    try:
        intake = RetryingIntake(clients, environment["INTAKE_ADMIN_KEY"])
        offices = await intake.offices()
        per_office = args.per_office or (12 if args.short else 30)
        stories = plan_week(offices, DAY, 1, seed=20260601, mix=Mix(per_office, steady=True))
        print(f"{len(stories)} dossiers planned, {len(offices)} offices", flush=True)
        watcher = Watcher(instances)
        watcher.progress["http write"] = intake.successes
        stop = asyncio.Event()
        watching = asyncio.create_task(watcher.run(stop))
        await inject_malformed(stack.kafka(), MALFORMED)
        simulator = Simulator(intake, clock, clock_speed(args), concurrency=16)
        end = datetime.combine(DAY, datetime.min.time(), VIETNAM) + CLOSES
        playing = asyncio.create_task(simulator.run(stories, end))
        await _run_faults(stack, watcher, chosen)
        record = await playing
        print(f"played: {len(record.sent)} requests, {intake.retries} retried", flush=True)
        drained = await _drain(stack.kafka())
        await asyncio.sleep(5)  # the last relays and timers
        stop.set()
        await watching
        verdict = await compare(
            stack.kafka(),
            {s: stack.database(s) for s in ("tracking", "scoring", "notify", "portal")},
            {i.service: i.url for i in instances if "-" not in i.name}
            | {"dvcqg": environment["DVCQG_FAKE_URL"]},
            credentials(stack.layout)["operator_token"],
            (stories, record, DAY),
            MALFORMED,
        )
        if not drained:
            verdict.problems.append("the consumer groups did not drain within 180 s")
        verdict.figures["requests refused by intake"] = sum(record.errors.values())
        if record.errors:
            verdict.problems.append(f"intake refused requests: {dict(record.errors)}")
        return verdict, dict(watcher.reread)
    finally:
        for client in clients:
            await client.aclose()


def clock_speed(args: argparse.Namespace) -> float:
    """Simulated seconds per second: the office day lasts about as long as the faults."""
    seconds = 300 if args.short else 720
    return (CLOSES - OPENS).total_seconds() / seconds


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    chosen = faults(args.short)
    stack = ChaosStack(args.instances)
    start = datetime.combine(DAY, datetime.min.time(), VIETNAM) + OPENS
    speed = clock_speed(args)
    clock = {
        "MODE": "simulated",
        "START": start.isoformat(),
        "SPEED": f"{speed:g}",
        "STOP": (start + (CLOSES - OPENS) + timedelta(hours=1)).isoformat(),
        "ENVIRONMENT": "demo",
    }
    # Services read the clock's anchor when they start: give them one a little ahead.
    anchor = time.time() + (150 if args.instances == 1 else 220)
    clock["ANCHOR"] = f"{anchor:.3f}"
    began = time.monotonic()
    try:
        environment = stack.up(clock)
        simulated = SimulatedClock(start, speed, anchor, datetime.fromisoformat(clock["STOP"]))
        if (wait := anchor - time.time()) > 0:
            print(f"the simulated day starts in {wait:.0f} s", flush=True)
            time.sleep(wait)
        verdict, reread = asyncio.run(_play(args, stack, environment, simulated, chosen))
    finally:
        stack.down()
    ok = not verdict.problems and all(f.recovered() for f in chosen)
    body = render(args, chosen, verdict, reread, time.monotonic() - began, ok, RECOVERY_BOUND)
    print(body)
    if not args.no_write:
        write_section(
            "faults" + ("-short" if args.short else "") + ("-2" if args.instances == 2 else ""),
            body,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
