"""Rewrite a topic in place, once: the records a change picks out are replaced by their
changed form, every other record is written again as it was, in the same order, on the
same partition, with the same key, headers and timestamp.

Kafka cannot change a record, only drop a partition's records before an offset
(DeleteRecords). So the rewrite goes through a holding topic (`<topic>.rewrite`):

1. every record is copied, changed where the change says so, to the holding topic, and
   each holding partition ends with a marker naming the source range it holds;
2. the source partitions are emptied up to the end they had (DeleteRecords);
3. the holding copy is written back after that end; the consumer groups that stood at the
   old end are moved to the new one, so no service reads the copies a second time;
4. the source is read once more (nothing left to change, every record back) and the
   holding topic is deleted.

Each step reads where the broker stands, so a run stopped at any point (a crash, Ctrl-C,
a lost broker) is finished by running the same command again; a run over a topic that
has nothing to change changes nothing. It needs a maintenance window: the topic's
writer stopped (the source's end must not move) and every consumer group on the topic
stopped at its end (a group still reading would lose the records it had not read, and
a running consumer would read the copies). It refuses, changing nothing, otherwise.

`motcua-topics scrub-receptions` uses it to leave the applicant out of the version 1
receptions of the dossier log (docs/privacy.md, *Older records*).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic, RecordsToDelete
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord

from motcua.events.envelope import InvalidEvent, decode, encode
from motcua.messaging.kafka import idempotent_producer
from motcua.settings import KafkaSettings

__all__ = [
    "Change",
    "RewriteRefused",
    "Rewritten",
    "holding_topic",
    "reception_without_applicant",
    "rewrite_topic",
]

Change = Callable[[bytes | None], bytes | None]
"""A record's new value, or None to keep it as it is."""

_MARKER = "motcua-rewrite"


class RewriteRefused(RuntimeError):
    """The topic cannot be rewritten now; nothing was changed."""


@dataclass
class Rewritten:
    """What a run found and did."""

    topic: str
    records: int = 0
    """Records of the source range read (or written back, once the source was emptied)."""
    changed: int = 0
    groups_moved: list[str] = field(default_factory=list)
    done: bool = False
    """False: nothing needed changing (or `dry_run`), and nothing was touched."""


def holding_topic(topic: str) -> str:
    """The topic a rewrite of `topic` holds its copy in."""
    return f"{topic}.rewrite"


@dataclass(frozen=True)
class _Held:
    """What a holding partition's marker says: the source range copied into it."""

    start: int
    end: int
    records: int
    changed: int


async def rewrite_topic(
    kafka: KafkaSettings,
    topic: str,
    change: Change,
    *,
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> Rewritten:
    """Rewrite `topic` as the module says; `dry_run` only counts what would change."""
    admin = AIOKafkaAdminClient(**kafka.client_options(), request_timeout_ms=30_000)
    reader = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await admin.start()
    await reader.start()
    try:
        run = _Run(kafka, admin, reader, topic, change, say)
        return await run.go(dry_run)
    finally:
        await reader.stop()
        await admin.close()


class _Run:
    def __init__(
        self,
        kafka: KafkaSettings,
        admin: AIOKafkaAdminClient,
        reader: AIOKafkaConsumer,
        topic: str,
        change: Change,
        say: Callable[[str], None],
    ) -> None:
        self.kafka, self.admin, self.reader = kafka, admin, reader
        self.topic, self.holding, self.change, self.say = topic, holding_topic(topic), change, say

    async def go(self, dry_run: bool) -> Rewritten:
        existing = set(await self.admin.list_topics())
        if self.topic not in existing:
            raise RewriteRefused(f"no topic {self.topic} on the broker")
        described = (await self.admin.describe_topics([self.topic]))[0]["partitions"]
        self.partitions = [TopicPartition(self.topic, p) for p in range(len(described))]
        self.replicas = len(described[0]["replicas"])
        held = await self._held() if self.holding in existing else None
        if held is not None and dry_run:
            raise RewriteRefused(
                f"a rewrite of {self.topic} was started and not finished: run it again "
                "without --dry-run to finish it"
            )
        if held is None:
            if self.holding in existing and dry_run:
                self.say(f"{self.holding}: an unfinished copy (the source is intact)")
            elif self.holding in existing:
                self.say(f"{self.holding}: an unfinished copy (the source is intact): dropped")
                await self._drop_holding()
            starts, ends = await self._bounds()
            found = await self._count(starts, ends)
            self.say(f"{self.topic}: {found.records:,} records, {found.changed:,} to change")
            if found.changed == 0 or dry_run:
                await self._groups_at_end(ends, refuse=not dry_run)
                return found
            await self._groups_at_end(ends, refuse=True)
            held = await self._copy(starts, ends)
        else:
            self.say(f"{self.holding}: a finished copy from an earlier run: going on from it")
        return await self._finish(held)

    async def _bounds(self) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        starts = await self.reader.beginning_offsets(self.partitions)
        ends = await self.reader.end_offsets(self.partitions)
        return starts, ends

    async def _read(
        self, tp: TopicPartition, start: int, end: int
    ) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
        """The records of one partition from `start` up to `end` (offsets)."""
        self.reader.assign([tp])
        self.reader.seek(tp, start)
        while start < end and await self.reader.position(tp) < end:
            batch = await self.reader.getmany(tp, timeout_ms=1_000, max_records=2_000)
            for record in batch.get(tp, ()):
                if record.offset >= end:
                    return
                yield record

    async def _count(
        self, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
    ) -> Rewritten:
        found = Rewritten(self.topic)
        for tp in self.partitions:
            async for record in self._read(tp, starts[tp], ends[tp]):
                found.records += 1
                found.changed += self.change(record.value) is not None
        return found

    async def _groups(self) -> dict[str, dict[TopicPartition, int]]:
        """Every consumer group's committed offsets on the topic."""
        groups: dict[str, dict[TopicPartition, int]] = {}
        for group_id, _ in await self.admin.list_consumer_groups():
            offsets = await self.admin.list_consumer_group_offsets(group_id)
            mine = {tp: meta.offset for tp, meta in offsets.items() if tp.topic == self.topic}
            if mine:
                groups[group_id] = mine
        return groups

    async def _running(self, groups: list[str]) -> list[str]:
        """Those of `groups` that have members: their services are still running."""
        if not groups:
            return []
        running = []
        for group in groups:
            # One group a request: aiokafka misreads a reply describing several.
            (response,) = await self.admin.describe_consumer_groups([group])
            for described in response.groups:
                group_id, state = described[1], described[2]
                if state not in ("Empty", "Dead"):
                    running.append(f"consumer group {group_id} is {state}: stop its service")
        return running

    async def _groups_at_end(self, ends: dict[TopicPartition, int], *, refuse: bool) -> None:
        groups = await self._groups()
        problems = await self._running(list(groups))
        for group_id, offsets in groups.items():
            behind = sum(max(ends[tp] - offset, 0) for tp, offset in offsets.items())
            if behind:
                problems.append(
                    f"consumer group {group_id} has {behind:,} records of {self.topic} "
                    "still to read: let it catch up, then stop its service"
                )
        for problem in problems:
            self.say(problem)
        if problems and refuse:
            raise RewriteRefused(
                f"{self.topic} cannot be rewritten while it is read; nothing was changed"
            )

    async def _copy(
        self, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
    ) -> dict[TopicPartition, _Held]:
        response = await self.admin.create_topics(
            [
                NewTopic(
                    self.holding,
                    num_partitions=len(self.partitions),
                    replication_factor=self.replicas,
                    topic_configs={"cleanup.policy": "delete", "retention.ms": "-1"},
                )
            ]
        )
        for name, code, *message in response.topic_errors:
            if code:
                raise RewriteRefused(f"{name} could not be created: error {code} {message}")
        producer = idempotent_producer(self.kafka, "rewrite")
        await producer.start()
        held: dict[TopicPartition, _Held] = {}
        try:
            for tp in self.partitions:
                records = changed = 0
                sent = []
                async for record in self._read(tp, starts[tp], ends[tp]):
                    value = self.change(record.value)
                    changed += value is not None
                    records += 1
                    sent.append(
                        await producer.send(
                            self.holding,
                            value if value is not None else record.value,
                            key=record.key,
                            partition=tp.partition,
                            timestamp_ms=record.timestamp,
                            headers=list(record.headers or ()),
                        )
                    )
                await asyncio.gather(*sent)  # every copy written before the marker
                mark = _Held(starts[tp], ends[tp], records, changed)
                await producer.send_and_wait(
                    self.holding,
                    json.dumps(mark.__dict__).encode(),
                    partition=tp.partition,
                    headers=[(_MARKER, b"end")],
                )
                held[tp] = mark
                self.say(f"  partition {tp.partition}: {records:,} copied, {changed:,} changed")
        finally:
            await producer.stop()
        return held

    async def _held(self) -> dict[TopicPartition, _Held] | None:
        """Each holding partition's marker; None when the copy did not finish."""
        described = (await self.admin.describe_topics([self.holding]))[0]["partitions"]
        if len(described) != len(self.partitions):
            return None
        held = {}
        for tp in self.partitions:
            mine = TopicPartition(self.holding, tp.partition)
            ends = await self.reader.end_offsets([mine])
            if ends[mine] == 0:
                return None
            last = [r async for r in self._read(mine, ends[mine] - 1, ends[mine])]
            if not last or (_MARKER, b"end") not in list(last[0].headers or ()):
                return None
            mark = _Held(**json.loads(last[0].value or b"{}"))
            if last[0].offset != mark.records:  # a copy short of a record is no copy
                return None
            held[tp] = mark
        return held

    async def _finish(self, held: dict[TopicPartition, _Held]) -> Rewritten:
        starts, ends = await self._bounds()
        moved = [tp for tp, mark in held.items() if starts[tp] < mark.end and ends[tp] != mark.end]
        if moved:
            intact = all(starts[tp] < mark.end for tp, mark in held.items())
            if intact:
                await self._drop_holding()
            raise RewriteRefused(
                f"{self.topic} was written to after the copy (partitions "
                f"{', '.join(str(tp.partition) for tp in moved)}): stop its writer, then run "
                + ("again; the copy was dropped and is taken anew" if intact else "again")
            )
        groups = await self._groups()
        running = await self._running(list(groups))
        if running:
            for problem in running:
                self.say(problem)
            raise RewriteRefused(f"{self.topic} cannot be rewritten while it is read")
        moving = {
            group_id: [tp for tp, offset in offsets.items() if offset == held[tp].end]
            for group_id, offsets in groups.items()
        }
        emptied = {
            tp: RecordsToDelete(mark.end) for tp, mark in held.items() if starts[tp] < mark.end
        }
        if emptied:
            await self.admin.delete_records(emptied)
            self.say(f"{self.topic}: emptied up to the copied end on {len(emptied)} partitions")
        starts, ends = await self._bounds()
        producer = idempotent_producer(self.kafka, "rewrite")
        await producer.start()
        try:
            for tp, mark in held.items():
                back = ends[tp] - mark.end
                source = TopicPartition(self.holding, tp.partition)
                sent = [
                    await producer.send(
                        self.topic,
                        record.value,
                        key=record.key,
                        partition=tp.partition,
                        timestamp_ms=record.timestamp,
                        headers=list(record.headers or ()),
                    )
                    async for record in self._read(source, back, mark.records)
                ]
                await asyncio.gather(*sent)
        finally:
            await producer.stop()
        starts, ends = await self._bounds()
        result = Rewritten(self.topic, done=True)
        for tp, mark in held.items():
            async for record in self._read(tp, mark.end, ends[tp]):
                result.records += 1
                if self.change(record.value) is not None:
                    raise RewriteRefused(
                        f"{self.topic} partition {tp.partition} offset {record.offset} still "
                        "needs changing after the rewrite; the holding copy is kept"
                    )
            result.changed += mark.changed
            if ends[tp] - mark.end != mark.records:
                raise RewriteRefused(
                    f"{self.topic} partition {tp.partition} holds {ends[tp] - mark.end} records "
                    f"after the rewrite, not {mark.records}; the holding copy is kept"
                )
        for group_id, tps in moving.items():
            if tps:
                await self._commit(group_id, {tp: ends[tp] for tp in tps})
                result.groups_moved.append(group_id)
        await self._drop_holding()
        self.say(
            f"{self.topic}: {result.records:,} records written back, {result.changed:,} changed; "
            f"groups moved to the new end: {', '.join(result.groups_moved) or '-'}"
        )
        return result

    async def _commit(self, group_id: str, offsets: dict[TopicPartition, int]) -> None:
        group = AIOKafkaConsumer(
            **self.kafka.client_options(), group_id=group_id, enable_auto_commit=False
        )
        await group.start()
        try:
            group.assign(list(offsets))
            await group.commit(offsets)
        finally:
            await group.stop()

    async def _drop_holding(self) -> None:
        try:
            await self.admin.delete_topics([self.holding])
        except KafkaError as error:
            self.say(f"{self.holding} could not be deleted ({error}); delete it by hand")
            return
        for _ in range(100):  # until the broker has it gone, so it can be created anew
            if self.holding not in await self.admin.list_topics():
                return
            await asyncio.sleep(0.1)


def reception_without_applicant(value: bytes | None) -> bytes | None:
    """A version 1 `dossier.received`, which carried the applicant and proxy, as the
    current version reads it (no person; its copied procedure kept as `copied_terms`);
    None for every other record. One that does not validate keeps its fields but the
    applicant and proxy (consumers dead-letter it either way)."""
    if value is None or b'"dossier.received"' not in value:
        return None
    try:
        raw = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if not (
        isinstance(raw, dict)
        and raw.get("event_type") == "dossier.received"
        and raw.get("schema_version") == 1
    ):
        return None
    try:
        return encode(decode(value))
    except InvalidEvent:
        data = raw.get("data")
        if isinstance(data, dict):
            data.pop("applicant", None)
            data.pop("proxy", None)
        return orjson.dumps(raw)
