"""`motcua-dlq`: list a service's dead letters, or put them back for another try.

Redriven messages go to the service's own redrive topic (`<service>.redrive.v1`),
which only that service reads, with the same handler and the same idempotency
records, so other consumers of the original topic are not disturbed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord

from motcua.devstack.envfile import load_stack_env
from motcua.events.topics import SERVICES, dead_letter_topic, redrive_topic
from motcua.messaging.deadletters import HEADER_PREFIX
from motcua.messaging.kafka import idempotent_producer
from motcua.settings import KafkaSettings

__all__ = ["dead_letters", "main", "redrive"]


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


async def dead_letters(bootstrap: str, service: str) -> list[dict[str, str]]:
    """The dead letters not yet redriven, as header dictionaries (reason, origin, attempts)."""
    consumer = AIOKafkaConsumer(
        dead_letter_topic(service).name,
        bootstrap_servers=bootstrap,
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


async def redrive(bootstrap: str, service: str, limit: int | None = None) -> int:
    """Move dead letters back to the service's redrive topic; returns how many moved."""
    source = dead_letter_topic(service).name
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=f"{service}.redrive",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = idempotent_producer(KafkaSettings(bootstrap_servers=bootstrap), f"{service}-redrive")
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


def main(argv: list[str] | None = None) -> int:
    """Command line: `motcua-dlq list SERVICE` or `motcua-dlq redrive SERVICE [--limit N]`.

    The broker is `--bootstrap`, else `$KAFKA_BOOTSTRAP_SERVERS`, else the local stack's
    (`.local/stack.env`, found from the working directory up)."""
    load_stack_env()
    # The one-line error below says what the client would log about a refused connection.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(prog="motcua-dlq", description=__doc__)
    parser.add_argument("command", choices=["list", "redrive"])
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument(
        "--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    )
    args = parser.parse_args(argv)
    try:
        return _run(args.command, args.bootstrap, args.service, args.limit)
    except (KafkaError, OSError) as error:
        print(
            f"motcua-dlq: Kafka at {args.bootstrap} is not reachable ({error});"
            " start the stack (make up) or pass --bootstrap HOST:PORT",
            file=sys.stderr,
        )
        return 1


def _run(command: str, bootstrap: str, service: str, limit: int | None) -> int:
    if command == "list":
        letters = asyncio.run(dead_letters(bootstrap, service))
        for letter in letters:
            print(
                f"{letter.get('original-topic')}:{letter.get('original-partition')}:"
                f"{letter.get('original-offset')}  {letter.get('reason')}  "
                f"attempts={letter.get('attempts')}  {letter.get('error', '')[:120]}"
            )
        print(f"{len(letters)} dead letter(s) waiting", file=sys.stderr)
        return 0
    moved = asyncio.run(redrive(bootstrap, service, limit))
    print(f"redrove {moved} message(s) to {redrive_topic(service).name}")
    return 0
