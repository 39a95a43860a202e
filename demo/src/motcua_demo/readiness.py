"""Whether the stack is ready, and whether the pipeline has settled.

Ready: every service answers `/ready` (its database and broker reachable) and every
consumer group has read its topics to the end, so nothing from an earlier run is still
on its way when the simulated clock starts. Settled: the groups stay caught up for a
few polls in a row once the played week is over.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from rich.console import Console

from motcua.events.topics import CATALOGUE, DOSSIER_EVENTS, INTAKE_COMMANDS, TRACKING_EVENTS
from motcua.events.topics import SERVICES as SERVICE_NAMES
from motcua.settings import KafkaSettings

__all__ = ["GROUPS", "backlog", "wait_until_ready", "wait_until_settled"]

GROUPS = {
    "intake": (INTAKE_COMMANDS.name,),
    "tracking": (DOSSIER_EVENTS.name, CATALOGUE.name),
    "scoring": (DOSSIER_EVENTS.name, TRACKING_EVENTS.name),
    "notify": (DOSSIER_EVENTS.name, TRACKING_EVENTS.name),
}
"""Each service's consumer group (named after it) and the topics it reads."""


async def backlog(kafka: KafkaSettings) -> dict[str, int]:
    """Per consumer group, the records on its topics it has not committed yet."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    offsets = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await admin.start()
    await offsets.start()
    try:
        topics = {topic for names in GROUPS.values() for topic in names}
        partitions = [
            TopicPartition(described["topic"], item["partition"])
            for described in await admin.describe_topics(sorted(topics))
            for item in described.get("partitions", [])
        ]
        ends = await offsets.end_offsets(partitions)
        behind: dict[str, int] = {}
        for group, names in GROUPS.items():
            mine = [p for p in partitions if p.topic in names]
            committed = await admin.list_consumer_group_offsets(group, partitions=mine)
            behind[group] = sum(
                max(ends[p] - max(committed[p].offset if p in committed else 0, 0), 0) for p in mine
            )
        return behind
    finally:
        await offsets.stop()
        await admin.close()


async def _unready(env: dict[str, str]) -> list[str]:
    """What is not ready yet, in words (empty when everything is)."""
    waiting = []
    async with httpx.AsyncClient(timeout=5) as http:
        for service in SERVICE_NAMES:
            try:
                ready = (await http.get(f"{env[f'{service.upper()}_URL']}/ready")).is_success
            except (httpx.HTTPError, KeyError):
                ready = False
            if not ready:
                waiting.append(f"{service} /ready")
    if not waiting:
        behind = await backlog(KafkaSettings.from_environment(env))
        waiting += [f"{group} {n} events behind" for group, n in behind.items() if n]
    return waiting


async def wait_until_ready(env: dict[str, str], console: Console, patience: float = 300) -> float:
    """Wait until every service is ready and caught up; returns the seconds it took."""
    began = time.monotonic()
    with console.status("waiting for the services to be ready") as status:
        while (waiting := await _unready(env)) and time.monotonic() - began < patience:
            status.update(f"waiting for: {', '.join(waiting)}")
            await asyncio.sleep(0.5)
    if waiting:
        raise SystemExit(f"the stack is not ready after {patience:.0f} s: {', '.join(waiting)}")
    return time.monotonic() - began


async def wait_until_settled(
    env: dict[str, str], console: Console, polls: int = 3, patience: float = 120
) -> bool:
    """Wait until every consumer group has been caught up `polls` times in a row."""
    began, quiet = time.monotonic(), 0
    with console.status("waiting for the pipeline to settle") as status:
        while quiet < polls and time.monotonic() - began < patience:
            behind = await backlog(KafkaSettings.from_environment(env))
            quiet = quiet + 1 if not any(behind.values()) else 0
            status.update(f"events still on their way: {sum(behind.values())}")
            await asyncio.sleep(1)
    return quiet >= polls
