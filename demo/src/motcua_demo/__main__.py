"""`make demo`: start the local stack on a simulated clock and play a week of a province's offices.

    uv run motcua-demo [--days 5] [--speed 2400] [--seed 7] [--per-office 12]

Each run plays the next simulated week (June 2026 onwards), so runs never mix their
numbers; the tables at the end are the run's own period. The simulated clock reaches
Monday 07:00 only once every service is ready and its consumers have caught up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

import httpx
from rich.console import Console
from rich.live import Live
from rich.table import Table

from motcua.clock import SimulatedClock
from motcua_demo.calendar import VIETNAM
from motcua_demo.indicators import (
    agency_names,
    fetch_alert_tables,
    fetch_table,
    wait_for_scoring,
)
from motcua_demo.intake import IntakeClient
from motcua_demo.portal_sync import portal_sync_line
from motcua_demo.readiness import wait_until_ready
from motcua_demo.scenario import Mix, plan_week
from motcua_demo.simulator import Record, Simulator
from motcua_devstack.layout import Layout
from motcua_devstack.stack import Stack

FIRST_MONDAY = date(2026, 6, 1)
ALERT_GRACE_SECONDS = 5.0
"""Real seconds tracking waits past a due instant before an alert fires, so an event
still between the services on a busy laptop can stop it (at x2400 about three simulated
hours); tracking's default, a real minute, would be 40 simulated hours."""
# Piped to a file or a CI log, rich would assume 80 columns and cut the indicator table.
console = Console(width=None if sys.stdout.isatty() else 120)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="motcua-demo", description=__doc__)
    parser.add_argument("--days", type=int, default=5, help="working days to play (1-5)")
    parser.add_argument("--speed", type=float, default=2400, help="simulated seconds per second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--per-office", type=int, default=12, help="average dossiers per office per day"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 5:
        parser.error("--days must be between 1 and 5")
    return args


def _end(start: datetime, days: int) -> datetime:
    """17:30 of the last played day (the days are Monday to Friday)."""
    return start + timedelta(days=days - 1, hours=10, minutes=30)


def _next_week(layout: Layout) -> tuple[int, date, float]:
    """Which run this is, the Monday it plays (one simulated week per run), and how long
    the stack took to be ready last time."""
    path = layout.state / "demo.json"
    state = json.loads(path.read_text()) if path.is_file() else {}
    runs = int(state.get("runs", 0))
    layout.state.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**state, "runs": runs + 1}))
    return runs + 1, FIRST_MONDAY + timedelta(weeks=runs), float(state.get("ready_seconds", 45))


def _remember_startup(layout: Layout, seconds: float) -> None:
    path = layout.state / "demo.json"
    state = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**state, "ready_seconds": round(seconds, 1)}))


def _clock(start: datetime, args: argparse.Namespace, anchor: float) -> dict[str, str]:
    stop = _end(start, args.days) + timedelta(minutes=30)  # then simulated time stands still
    return {
        "MODE": "simulated",
        "START": start.isoformat(),
        "SPEED": f"{args.speed:g}",
        "ANCHOR": f"{anchor:.3f}",
        "STOP": stop.isoformat(),
        "ENVIRONMENT": "demo",
    }


def _start_ready(
    layout: Layout, start: datetime, args: argparse.Namespace, expected: float
) -> tuple[dict[str, str], float]:
    """Start the stack with the clock reaching `start` once it is ready; returns its
    environment and the Unix time simulated time reaches `start`.

    The services read the instant from their settings, so it is chosen before they start:
    from how long the stack took last time. Should they take longer, they are started
    again with a later instant rather than begin the week mid-morning.
    """
    stack = Stack(layout, report=lambda line: console.print(f"  {line}"))
    os.environ["TRACKING_TIMERS__ALERT_GRACE_SECONDS"] = f"{ALERT_GRACE_SECONDS:g}"  # inherited
    margin = expected * 1.3 + 10
    for _ in range(3):
        began = time.time()
        anchor = began + margin
        env = stack.up(clock=_clock(start, args, anchor))
        asyncio.run(wait_until_ready(env, console))
        took = time.time() - began
        _remember_startup(layout, took)
        if time.time() < anchor - 1:
            return env, anchor
        console.print(
            f"[yellow]the stack took {took:.0f} s to be ready, more than the {margin:.0f} s "
            "allowed: starting the services again with a later start[/]"
        )
        margin = took * 1.5 + 10
    raise SystemExit("the stack did not get ready in time for the simulated week")


def _progress(table_start: datetime, end: datetime) -> Callable[[datetime, Record], Table]:
    def render(now: datetime, record: Record) -> Table:
        done = min(max((now - table_start) / (end - table_start), 0.0), 1.0)
        bar = "█" * int(done * 40) + "░" * (40 - int(done * 40))
        kinds = record.accepted_kinds
        grid = Table.grid(padding=(0, 2))
        grid.add_row("simulated time", now.astimezone(VIETNAM).strftime("%a %d/%m %H:%M"))
        grid.add_row("progress", f"{bar} {done:5.1%}")
        grid.add_row("dossiers received", str(kinds["register"]))
        grid.add_row("hand-overs", str(kinds["transferred"]))
        grid.add_row("supplement requests", str(kinds["supplement_requested"]))
        grid.add_row(
            "finished / returned", f"{kinds['processing_finished']} / {kinds['result_returned']}"
        )
        grid.add_row("refused / withdrawn", f"{kinds['refused']} / {kinds['withdrawn']}")
        grid.add_row("apologies filed", str(kinds["apology"]))
        grid.add_row("refused by intake", str(sum(record.errors.values())))
        return grid

    return render


async def _play(
    args: argparse.Namespace, env: dict[str, str], clock: SimulatedClock, monday: date
) -> None:
    start = datetime.combine(monday, datetime.min.time(), VIETNAM) + timedelta(hours=7)
    end = _end(start, args.days)
    async with httpx.AsyncClient(base_url=env["INTAKE_URL"], timeout=30) as http:
        intake = IntakeClient(http, env["INTAKE_ADMIN_KEY"])
        offices = await intake.offices()
        stories = plan_week(
            offices, monday, args.days, args.seed, Mix(per_office_per_day=args.per_office)
        )
        console.print(
            f"[bold]{len(offices)} offices, {len(stories)} dossiers planned[/] "
            f"for {monday:%d/%m/%Y}, {args.days} working day(s) at x{args.speed:g}"
        )
        simulator = Simulator(intake, clock, args.speed)
        render = _progress(start, end)
        with Live(
            render(clock.now(), simulator.record), console=console, refresh_per_second=4
        ) as live:
            record = await simulator.run(
                stories, end, lambda now, rec: live.update(render(now, rec))
            )
    registered = record.accepted_kinds["register"]
    console.print(f"played: {registered} dossiers registered, {len(record.sent)} requests")
    if record.errors:
        console.print(f"[yellow]intake refused: {dict(record.errors)}[/]")
        for example in record.examples:
            console.print(f"  [yellow]{example}[/]")
    period = f"{monday.isoformat()}..{(monday + timedelta(days=args.days - 1)).isoformat()}"
    await wait_for_scoring(env, period, registered, console)
    names = await agency_names(env)
    console.print(await fetch_table(env, period, names))
    week_start = datetime.combine(monday, datetime.min.time(), VIETNAM)
    for table in await fetch_alert_tables(env, period, week_start.isoformat(), names):
        console.print(table)
    console.print(await portal_sync_line(env, week_start, week_start + timedelta(days=7)))


def main(argv: list[str] | None = None) -> int:
    """Start the stack on a simulated clock, play the week, print the indicators."""
    args = _arguments(argv)
    layout = Layout.discover()
    run, monday, expected = _next_week(layout)
    start = datetime.combine(monday, datetime.min.time(), VIETNAM) + timedelta(hours=7)
    console.rule(f"[bold]motcua demo, run {run}: the week of {monday:%d/%m/%Y}")
    env, anchor = _start_ready(layout, start, args, expected)
    simulated = SimulatedClock(
        start, args.speed, anchor, _end(start, args.days) + timedelta(minutes=30)
    )
    wait = anchor - time.time()
    if wait > 0:
        when = f"{start:%H:%M %d/%m}"
        console.print(f"every service is ready; the simulated clock reaches {when} in {wait:.0f} s")
        time.sleep(wait)
    asyncio.run(_play(args, env, simulated, monday))
    console.print()
    console.print("[bold]Where to look[/]")
    scoring = env.get("SCORING_URL", "")
    console.print(f"  dashboard      {scoring}/dashboard")
    console.print(f"  Prometheus     {env.get('PROMETHEUS_URL', '')}")
    for service in ("intake", "tracking", "scoring", "notify", "portal"):
        console.print(f"  {service:<14} {env.get(service.upper() + '_URL', '')}/docs")
    console.print("  stop with      make down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
