"""`motcua-stack`: the local stack (PostgreSQL, Kafka, Prometheus, the services) without Docker.

Commands::

    motcua-stack up [--infra]     start everything (or only PostgreSQL and Kafka)
    motcua-stack down [--purge]   stop what the stack started (and delete its state)
    motcua-stack status           what runs, with PIDs and addresses
    motcua-stack env [--export]   the stack's environment, for `eval` or `set -a; .`
    motcua-stack logs [NAME...]   the end of the components' logs (-f to follow)
    motcua-stack jars             fetch the Kafka broker jars with Maven (once per pom.xml)
    motcua-stack mail [--show N]  the mails the SMTP sink received (or the N-th one)
    motcua-stack topics --bootstrap-servers HOST:PORT
                                  create every topic on a broker (used by docker-compose)
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from motcua.events.topics import all_topics
from motcua.settings import KafkaSettings
from motcua.stackenv import read_env
from motcua_devstack import kafka, mail
from motcua_devstack.blocking import run_blocking
from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout
from motcua_devstack.processes import tail
from motcua_devstack.stack import Stack

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua-stack",
        description="The local stack of the một cửa services, on 127.0.0.1, without Docker.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the stack (a no-op for what already runs)")
    up.add_argument("--infra", action="store_true", help="only PostgreSQL and Kafka")
    down = commands.add_parser("down", help="stop the processes the stack started")
    down.add_argument("--purge", action="store_true", help="also delete .local/ state")
    commands.add_parser("status", help="what runs, with PIDs and addresses")
    env = commands.add_parser("env", help="print the stack's KEY=VALUE environment")
    env.add_argument("--export", action="store_true", help="prefix lines with `export `")
    logs = commands.add_parser("logs", help="print the end of the logs")
    logs.add_argument("names", nargs="*", help="components (default: all)")
    logs.add_argument("-n", "--lines", type=int, default=40)
    logs.add_argument("-f", "--follow", action="store_true")
    commands.add_parser("jars", help="fetch the Kafka broker jars with Maven")
    mails = commands.add_parser("mail", help="list the mails the local SMTP sink received")
    mails.add_argument("--show", type=int, metavar="N", help="print the N-th mail")
    topics = commands.add_parser("topics", help="create every topic on a broker")
    topics.add_argument("--bootstrap-servers", required=True)
    topics.add_argument("--timeout", type=float, default=120)
    return parser


def _status(stack: Stack) -> int:
    for row in stack.status():
        pid = f"pid {row.pid}" if row.pid else ""
        print(f"{row.name:<11} {row.state:<11} {pid:<11} {row.address}")
    return 0


def _env(layout: Layout, export: bool) -> int:
    values = read_env(layout.env_file)
    if not values:
        print(f"no {layout.env_file}: run `motcua-stack up` first", file=sys.stderr)
        return 1
    prefix = "export " if export else ""
    for key, value in values.items():
        print(f"{prefix}{key}={shlex.quote(value)}")
    return 0


def _mail(layout: Layout, show: int | None) -> int:
    received = mail.mails(layout.mail)
    if show is not None:
        if not 1 <= show <= len(received):
            print(f"no mail {show}: {len(received)} in {layout.mail}", file=sys.stderr)
            return 1
        print(mail.text(received[show - 1]))
        return 0
    for message in received:
        print(mail.summary(message))
    print(f"{len(received)} mail(s) in {layout.mail}", file=sys.stderr)
    return 0


def _log_files(layout: Layout, names: Sequence[str]) -> list[Path]:
    if names:
        return [layout.log(name) for name in names]
    return sorted(layout.logs.glob("*.log")) if layout.logs.is_dir() else []


def _logs(layout: Layout, names: Sequence[str], lines: int, follow: bool) -> int:
    files = _log_files(layout, names)
    for path in files:
        print(f"==> {path} <==\n{tail(path, lines)}\n")
    if follow:
        _follow(files)
    return 0


def _follow(files: Sequence[Path]) -> None:
    offsets = {path: path.stat().st_size if path.exists() else 0 for path in files}
    try:
        while True:
            for path, offset in offsets.items():
                if path.exists() and path.stat().st_size > offset:
                    with path.open("rb") as log:
                        log.seek(offset)
                        chunk = log.read().decode(errors="replace")
                    offsets[path] = offset + len(chunk.encode())
                    for line in chunk.splitlines():
                        print(f"{path.stem}| {line}", flush=True)
            time.sleep(0.5)
    except KeyboardInterrupt:
        return


def _topics(bootstrap_servers: str, timeout: float) -> int:
    settings = KafkaSettings.from_environment().model_copy(
        update={"bootstrap_servers": bootstrap_servers}
    )
    deadline = time.monotonic() + timeout
    while not run_blocking(kafka.ping(settings)):
        if time.monotonic() > deadline:
            raise StackError(f"no Kafka broker answers on {bootstrap_servers}")
        time.sleep(1)
    created = run_blocking(kafka.ensure_topics(settings, all_topics()))
    print(f"kafka: created {len(created)} topics, {len(all_topics()) - len(created)} existed")
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "topics":
        return _topics(args.bootstrap_servers, args.timeout)
    layout = Layout.discover()
    stack = Stack(layout, report=lambda line: print(line, flush=True))
    if args.command == "up":
        stack.up(infra_only=args.infra)
        return 0
    if args.command == "down":
        stack.down(purge=args.purge)
        return 0
    if args.command == "jars":
        fetched = kafka.ensure_jars(layout)
        print(f"kafka: jars {'fetched into' if fetched else 'up to date in'} {layout.kafka_libs}")
        return 0
    if args.command == "status":
        return _status(stack)
    if args.command == "env":
        return _env(layout, args.export)
    if args.command == "mail":
        return _mail(layout, args.show)
    return _logs(layout, args.names, args.lines, args.follow)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point of `motcua-stack`."""
    try:
        status = run(argv)
    except StackError as error:
        print(f"motcua-stack: {error}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
