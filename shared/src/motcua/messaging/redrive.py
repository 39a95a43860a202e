"""`motcua-dlq`: list a service's dead letters, show one, or put them back for another try.

Redriven messages go to the service's own redrive topic (`<service>.redrive.v1`),
which only that service reads, with the same handler and the same idempotency
records, so other consumers of the original topic are not disturbed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from sqlalchemy.exc import SQLAlchemyError

from motcua.events.topics import SERVICES, dead_letter_topic, redrive_topic
from motcua.messaging.deadletters import HEADER_PREFIX
from motcua.messaging.held import HeldLetter, HeldLetters, Opener, held_letters
from motcua.messaging.kafka import idempotent_producer
from motcua.settings import KafkaSettings
from motcua.stackenv import load_stack_env

__all__ = ["dead_letter", "dead_letters", "main", "redrive"]


async def _pending(
    consumer: AIOKafkaConsumer, topic: str
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Records from the group's committed position up to the end as it was at the start."""
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=100)
    tps = sorted(consumer.assignment())
    ends = await consumer.end_offsets(tps)
    while await _behind(consumer, ends):
        for tp, records in (await consumer.getmany(timeout_ms=500, max_records=500)).items():
            for record in records:
                if record.offset < ends[tp]:
                    yield record


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


async def dead_letters(kafka: KafkaSettings, service: str) -> list[dict[str, str]]:
    """The dead letters not yet redriven, as header dictionaries (reason, origin, attempts)."""
    consumer = AIOKafkaConsumer(
        dead_letter_topic(service).name,
        **kafka.client_options(),
        group_id=f"{service}.redrive",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        await consumer.start()
        return [
            {
                k.removeprefix(HEADER_PREFIX): v.decode(errors="replace")
                for k, v in (record.headers or ())
                if k.startswith(HEADER_PREFIX)
            }
            async for record in _pending(consumer, dead_letter_topic(service).name)
        ]
    finally:
        await consumer.stop()


async def redrive(kafka: KafkaSettings, service: str, limit: int | None = None) -> int:
    """Move dead letters back to the service's redrive topic; returns how many moved."""
    source = dead_letter_topic(service).name
    consumer = AIOKafkaConsumer(
        source,
        **kafka.client_options(),
        group_id=f"{service}.redrive",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = idempotent_producer(kafka, f"{service}-redrive")
    moved = 0
    try:
        await consumer.start()
        await producer.start()
        async for record in _pending(consumer, source):
            if limit is not None and moved >= limit:
                break
            headers = [(k, v) for k, v in (record.headers or ())]
            headers.append(
                ("x-redriven-from", f"{source}:{record.partition}:{record.offset}".encode())
            )
            await producer.send_and_wait(
                redrive_topic(service).name, record.value, key=record.key, headers=headers
            )
            await consumer.commit({TopicPartition(source, record.partition): record.offset + 1})
            moved += 1
    finally:
        await producer.stop()
        await consumer.stop()
    return moved


async def dead_letter(
    kafka: KafkaSettings, service: str, location: str
) -> tuple[dict[str, str], bytes | None] | None:
    """The dead letter not yet redriven whose original was `TOPIC:PARTITION:OFFSET`: its
    headers (reason, origin, attempts) and the original message; None when there is none."""
    wanted = location.rsplit(":", 2)
    found: tuple[dict[str, str], bytes | None] | None = None
    consumer = AIOKafkaConsumer(
        dead_letter_topic(service).name,
        **kafka.client_options(),
        group_id=f"{service}.redrive",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        await consumer.start()
        async for record in _pending(consumer, dead_letter_topic(service).name):
            headers = _letter_headers(record)
            origin = [headers.get(f"original-{part}") for part in ("topic", "partition", "offset")]
            if found is None and origin == wanted:
                found = headers, record.value
    finally:
        await consumer.stop()
    return found


def _letter_headers(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {
        k.removeprefix(HEADER_PREFIX): v.decode(errors="replace")
        for k, v in (record.headers or ())
        if k.startswith(HEADER_PREFIX)
    }


class _HeldUnreachable(Exception):
    """The database of a service's own dead letters did not answer."""


def main(argv: list[str] | None = None) -> int:
    """Command line: `motcua-dlq list SERVICE`, `motcua-dlq show SERVICE KEY` or
    `motcua-dlq redrive SERVICE [KEY] [--limit N]`.

    A service's dead letters are the messages on its DLQ topic and, for a service that
    keeps dead letters of its own (the portal: dossiers the sync gave up on, with the
    portal's reply), those too, listed, shown and redriven by the service's own code.
    KEY is one of those (the portal: a dossier code), or for `show` a message's
    TOPIC:PARTITION:OFFSET as `list` prints it. `redrive` without KEY moves the topic's
    messages (at most `--limit`) to the service's redrive topic and redrives every one of
    its own; messages are redriven in order, never one by KEY.

    The broker is `--bootstrap`, else `$KAFKA_BOOTSTRAP_SERVERS`, else the local stack's
    (`.local/stack.env`, found from the working directory up); the principal is
    `$KAFKA_SASL_USERNAME` (the stack's operator). A service's own dead letters are in
    its database (`<SERVICE>_DATABASE__URL`, else the local stack's)."""
    args = _parser().parse_args(argv)
    load_stack_env(args.service)
    # The one-line error below says what the client would log about a refused connection.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    bootstrap = args.bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    kafka = KafkaSettings.from_environment().model_copy(update={"bootstrap_servers": bootstrap})
    try:
        return asyncio.run(_run(args.command, kafka, args.service, args.key, args.limit))
    except _HeldUnreachable as error:
        print(
            f"motcua-dlq: the {args.service} database is not reachable ({error.__cause__});"
            f" start the stack (make up) or set {args.service.upper()}_DATABASE__URL",
            file=sys.stderr,
        )
        return 1
    except (KafkaError, OSError) as error:
        print(
            f"motcua-dlq: Kafka at {bootstrap} is not reachable ({error});"
            " start the stack (make up) or pass --bootstrap HOST:PORT",
            file=sys.stderr,
        )
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua-dlq", description=__doc__)
    parser.add_argument("command", choices=["list", "show", "redrive"])
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument(
        "key",
        nargs="?",
        help="show, redrive: one of the service's own dead letters (the portal: a dossier"
        " code); show: or a message's TOPIC:PARTITION:OFFSET",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="redrive: at most N messages of the topic"
    )
    parser.add_argument("--bootstrap", default=None)
    return parser


async def _run(
    command: str, kafka: KafkaSettings, service: str, key: str | None, limit: int | None
) -> int:
    opener = held_letters(service)
    if command == "list":
        return await _list(kafka, service, opener)
    if command == "show":
        if key is None:
            print("motcua-dlq: show needs a KEY (see list)", file=sys.stderr)
            return 2
        return await _show(kafka, service, key, opener)
    if key is not None:
        redriven = await _held(opener, lambda letters: letters.redrive(key)) if opener else 0
        if not redriven:
            print(f"motcua-dlq: {key} is not a dead letter of {service}", file=sys.stderr)
            return 1
        print(f"redrove {key}")
        return 0
    moved = await redrive(kafka, service, limit)
    print(f"redrove {moved} message(s) to {redrive_topic(service).name}")
    if opener is not None:
        redriven, what = await _held(opener, _redrive_all)
        print(f"redrove {redriven} {what}")
    return 0


async def _list(kafka: KafkaSettings, service: str, opener: Opener | None) -> int:
    letters = await dead_letters(kafka, service)
    for letter in letters:
        print(
            f"{letter.get('original-topic')}:{letter.get('original-partition')}:"
            f"{letter.get('original-offset')}  {letter.get('reason')}  "
            f"attempts={letter.get('attempts')}  {letter.get('error', '')[:120]}"
        )
    if opener is None:
        print(f"{len(letters)} dead letter(s) waiting", file=sys.stderr)
        return 0
    held, what = await _held(opener, _list_held)
    for one in held:
        error = " ".join(one.error.split())
        print(f"{one.key}  {one.reason}  attempts={one.attempts}  {one.failed_at}  {error[:120]}")
    print(
        f"{len(letters) + len(held)} dead letter(s) waiting:"
        f" {len(letters)} message(s) on {dead_letter_topic(service).name}, {len(held)} {what}",
        file=sys.stderr,
    )
    return 0


async def _show(kafka: KafkaSettings, service: str, key: str, opener: Opener | None) -> int:
    if _LOCATION.fullmatch(key):
        found = await dead_letter(kafka, service, key)
        if found is None:
            print(f"motcua-dlq: no dead letter of {service} from {key}", file=sys.stderr)
            return 1
        headers, value = found
        print(json.dumps(headers, ensure_ascii=False, indent=2))
        print((value or b"").decode(errors="replace"))
        return 0
    letter = await _held(opener, lambda letters: letters.show(key)) if opener else None
    if letter is None:
        print(f"motcua-dlq: {key} is not a dead letter of {service}", file=sys.stderr)
        return 1
    print(json.dumps(dataclasses.asdict(letter), ensure_ascii=False, indent=2))
    return 0


_LOCATION = re.compile(r".+:\d+:\d+")
_T = TypeVar("_T")


async def _list_held(letters: HeldLetters) -> tuple[list[HeldLetter], str]:
    return await letters.list(), letters.what


async def _redrive_all(letters: HeldLetters) -> tuple[int, str]:
    return await letters.redrive(None), letters.what


async def _held(opener: Opener, use: Callable[[HeldLetters], Awaitable[_T]]) -> _T:
    """Open the service's own dead letters, use them, close them."""
    try:
        async with opener() as letters:
            return await use(letters)
    except (SQLAlchemyError, OSError) as error:
        raise _HeldUnreachable() from error
