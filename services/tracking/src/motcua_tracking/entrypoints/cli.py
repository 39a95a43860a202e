"""Command line: load a yearly calendar decision from a file into the tracking database.

uv run motcua-tracking load-decision 2027.json

Settings come from the environment (`TRACKING_DATABASE__URL`, ...), else from the local
stack (`.local/stack.env`, found from the working directory up). The recomputed
deadlines' events are staged in the outbox; the running service's relay publishes them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from motcua.clock import make_clock
from motcua.db import create_engine, migrate, sessions
from motcua.stackenv import load_stack_env
from motcua_tracking.domain import DecisionError, YearDecision, decision_from_json
from motcua_tracking.service import (
    CalendarBook,
    DecisionLoader,
    DossierTracker,
    TrackingContext,
)
from motcua_tracking.settings import TrackingSettings

__all__ = ["load_decision", "main"]

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


async def load_decision(settings: TrackingSettings, decision: YearDecision) -> str:
    """Load a decision; returns a one-line summary."""
    engine = create_engine(settings.database)
    try:
        await migrate(engine, MIGRATIONS)
        calendars = CalendarBook.from_settings(settings.calendar)
        context = TrackingContext(make_clock(settings.clock), calendars)
        tracker = DossierTracker(settings, context)
        loaded = await DecisionLoader(sessions(engine), tracker, context=context).load(decision)
    finally:
        await engine.dispose()
    return (
        f"{loaded.year}: revision {loaded.revision}, {loaded.changed_days} day(s) changed, "
        f"{loaded.dossiers_recomputed} open dossier(s) recomputed, "
        f"{loaded.deadlines_moved} deadline change(s)"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    load_stack_env("tracking")
    parser = argparse.ArgumentParser(prog="motcua-tracking", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load-decision", help="load a yearly decision (JSON file)")
    load.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    try:
        decision = decision_from_json(args.path.read_bytes())
        print(asyncio.run(load_decision(TrackingSettings(), decision)))
    except (DecisionError, OSError, ValueError) as error:
        print(f"motcua-tracking: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(
            f"motcua-tracking: the database refused: {getattr(error, 'orig', None) or error}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
