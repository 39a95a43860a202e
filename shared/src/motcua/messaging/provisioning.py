"""`motcua-topics`: create every topic of `motcua.events.topics.all_topics()` on a broker.

    motcua-topics create [--bootstrap-servers HOST:PORT] [--replication-factor N]
    motcua-topics list   [--bootstrap-servers HOST:PORT]
    motcua-topics acls   [--kafka-acls PATH] [--command-config PATH]
    motcua-topics scrub-receptions [--dry-run] [--bootstrap-servers HOST:PORT]

Topics are created with their partitions, compaction and retention; existing topics are
left as they are, and one whose partition count differs from the contract is reported
(adding partitions moves keys to other partitions: see docs/operations.md). The broker is
`--bootstrap-servers`, else `$KAFKA_BOOTSTRAP_SERVERS`, else the local stack's; the
principal comes from `$KAFKA_SECURITY_PROTOCOL`, `$KAFKA_SASL_USERNAME`... Used by
the Kubernetes Job `motcua-topics`, docker-compose's `kafka-topics` and the local stack.

`acls` prints, as a shell script, the `kafka-acls` commands that add every ACL of
`motcua.messaging.access`; the Job and docker-compose run it in a Kafka image, signed in
with `--command-config` as a principal allowed to change ACLs.

`scrub-receptions` rewrites the dossier log once so that no version 1 reception, which
carried the applicant, is left on it (`motcua.messaging.rewrite`; docs/privacy.md,
*Older records*): in a maintenance window, intake and every service reading the log
stopped, signed in as the operator. `--dry-run` counts those receptions and names what
would stop the rewrite; running it again finishes a rewrite that was interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from motcua.events.topics import DOSSIER_EVENTS, TopicSpec, all_topics
from motcua.messaging.access import grants
from motcua.messaging.rewrite import RewriteRefused, reception_without_applicant, rewrite_topic
from motcua.settings import KafkaSettings
from motcua.stackenv import load_stack_env

__all__ = ["TopicError", "TopicState", "acl_script", "ensure_topics", "main", "topic_states"]

_TOPIC_ALREADY_EXISTS = 36


class TopicError(RuntimeError):
    """The broker refused to create a topic, or does not answer."""


@dataclass(frozen=True, slots=True)
class TopicState:
    """A topic of the contract and what the broker has of it (None: missing)."""

    spec: TopicSpec
    partitions: int | None

    @property
    def line(self) -> str:
        wanted = f"{self.spec.partitions} partitions, " + ", ".join(
            f"{k}={v}" for k, v in self.spec.configs().items()
        )
        if self.partitions is None:
            return f"{self.spec.name:<34} missing    ({wanted})"
        if self.partitions != self.spec.partitions:
            return (
                f"{self.spec.name:<34} DIFFERS    {self.partitions} partitions on the broker "
                f"({wanted})"
            )
        return f"{self.spec.name:<34} ok         ({wanted})"


async def ensure_topics(
    settings: KafkaSettings,
    specs: Iterable[TopicSpec],
    replication_factor: int = 1,
    attempts: int = 5,
) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    wanted = {spec.name: spec for spec in specs}
    admin = AIOKafkaAdminClient(**settings.client_options(), request_timeout_ms=30_000)
    try:
        await admin.start()
        for attempt in range(attempts):
            try:
                return await _create_missing(admin, wanted, replication_factor)
            except KafkaError:
                # A freshly started broker may still be settling its controller.
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(1 + attempt)
    finally:
        await admin.close()
    return []


async def topic_states(settings: KafkaSettings, specs: Iterable[TopicSpec]) -> list[TopicState]:
    """Each topic of `specs` with its partition count on the broker."""
    admin = AIOKafkaAdminClient(**settings.client_options(), request_timeout_ms=30_000)
    try:
        await admin.start()
        described = await admin.describe_topics()
    finally:
        await admin.close()
    partitions = {
        topic["topic"]: len(topic["partitions"]) for topic in described if not topic["error_code"]
    }
    return [TopicState(spec, partitions.get(spec.name)) for spec in specs]


async def _create_missing(
    admin: AIOKafkaAdminClient, wanted: dict[str, TopicSpec], replication_factor: int
) -> list[str]:
    existing = set(await admin.list_topics())
    missing = [spec for name, spec in wanted.items() if name not in existing]
    if not missing:
        return []
    response = await admin.create_topics(
        [
            NewTopic(
                name=spec.name,
                num_partitions=spec.partitions,
                replication_factor=replication_factor,
                topic_configs=spec.configs(),
            )
            for spec in missing
        ]
    )
    failures = [
        f"{error[0]}: error code {error[1]} {error[2] if len(error) > 2 else ''}".strip()
        for error in response.topic_errors
        if error[1] not in (0, _TOPIC_ALREADY_EXISTS)
    ]
    if failures:
        raise TopicError("could not create topics:\n" + "\n".join(failures))
    return [spec.name for spec in missing]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua-topics", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("command", choices=["create", "list", "acls", "scrub-receptions"])
    parser.add_argument("--dry-run", action="store_true", help="scrub-receptions: only count")
    parser.add_argument("--kafka-acls", default="/opt/kafka/bin/kafka-acls.sh")
    parser.add_argument("--command-config", default="/work/admin.properties")
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
    )
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument(
        "--wait", type=float, default=120, help="seconds to wait for the broker to answer"
    )
    return parser


async def _reachable(settings: KafkaSettings) -> bool:
    admin = AIOKafkaAdminClient(**settings.client_options(), request_timeout_ms=5_000)
    try:
        await admin.start()
        await admin.describe_cluster()
    except (KafkaError, OSError):
        return False
    finally:
        await admin.close()
    return True


def _wait_for(settings: KafkaSettings, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not asyncio.run(_reachable(settings)):
        if time.monotonic() > deadline:
            raise TopicError(f"no Kafka broker answers on {settings.bootstrap_servers}")
        time.sleep(1)


def acl_script(bootstrap_servers: str, kafka_acls: str, command_config: str) -> str:
    """A shell script adding every ACL of the system (adding an existing ACL is a no-op)."""
    base = [kafka_acls, "--bootstrap-server", bootstrap_servers, "--command-config", command_config]
    lines = ["#!/bin/sh", "set -e"]
    lines += [shlex.join([*base, *grant.arguments()]) for grant in grants()]
    return "\n".join(lines) + "\n"


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    load_stack_env()
    args = _parser().parse_args(argv)
    if args.command == "acls":
        print(acl_script(args.bootstrap_servers, args.kafka_acls, args.command_config), end="")
        return 0
    settings = KafkaSettings.from_environment().model_copy(
        update={"bootstrap_servers": args.bootstrap_servers}
    )
    _wait_for(settings, args.wait)
    if args.command == "scrub-receptions":
        asyncio.run(
            rewrite_topic(
                settings, DOSSIER_EVENTS.name, reception_without_applicant, dry_run=args.dry_run
            )
        )
        return 0
    if args.command == "create":
        created = asyncio.run(ensure_topics(settings, all_topics(), args.replication_factor))
        print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
    states = asyncio.run(topic_states(settings, all_topics()))
    for state in states:
        print(state.line)
    return 1 if any(state.partitions is None for state in states) else 0


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point of `motcua-topics`."""
    # Our one-line error says what the client would log about each refused connection.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        status = run(argv)
    except (TopicError, RewriteRefused, KafkaError, OSError) as error:
        print(f"motcua-topics: {error}", file=sys.stderr)
        status = 1
    sys.exit(status)
