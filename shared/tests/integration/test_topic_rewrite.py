"""Rewriting a topic in place on the real broker: the dossier log's version 1 receptions
lose the applicant they carried, every other record comes back as it was, in order, and
the consumer groups stand at the new end; a run refused, interrupted or repeated leaves
nothing lost or doubled (docs/privacy.md, *Older records*)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from motcua.events import DossierReceived, Envelope, SatisfactionRated, decode, encode
from motcua.events.topics import TopicSpec
from motcua.messaging.kafka import idempotent_producer
from motcua.messaging.provisioning import run
from motcua.messaging.rewrite import (
    RewriteRefused,
    holding_topic,
    reception_without_applicant,
    rewrite_topic,
)
from motcua.settings import KafkaSettings
from motcua.testing import create_topics

pytestmark = pytest.mark.infra

AT = datetime(2021, 3, 2, 9, 0, tzinfo=UTC)
PERSONAL = ("Nguyễn Văn Riêng", "001099077777", "0912345678", "rieng@example.vn", "Ngõ 7")
_PROCEDURE = {
    "code": "1.001",
    "name": "Cấp phép",
    "field": "Xây dựng",
    "processing_time": {"unit": "working_days", "amount": "5"},
}


def old_reception(code: str) -> bytes:
    """A `dossier.received` as version 1 wrote it, with the applicant and a proxy."""
    name, national_id, phone, email, address = PERSONAL
    data = {
        "procedure": _PROCEDURE,
        "unit_code": "MC",
        "channel": "counter",
        "applicant": {
            "name": name,
            "national_id": national_id,
            "phone": phone,
            "email": email,
            "address": address,
        },
        "proxy": {"name": name, "national_id": national_id},
    }
    return orjson.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "event_type": "dossier.received",
            "schema_version": 1,
            "occurred_at": AT.isoformat(),
            "recorded_at": AT.isoformat(),
            "dossier_code": code,
            "agency_code": "STP",
            "correlation_id": str(uuid.uuid4()),
            "causation_id": None,
            "producer": "intake",
            "data": data,
        }
    )


def rating(code: str) -> bytes:
    return encode(
        Envelope.wrap(
            SatisfactionRated(score=4),
            producer="intake",
            occurred_at=AT,
            now=AT,
            dossier_code=code,
            agency_code="STP",
        )
    )


@dataclass(frozen=True)
class Seen:
    partition: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    timestamp: int


@dataclass
class Log:
    kafka: KafkaSettings
    topic: str
    group: str

    async def read(self) -> list[Seen]:
        """Every record of the topic, partition by partition, in offset order."""
        consumer = AIOKafkaConsumer(**self.kafka.client_options(), enable_auto_commit=False)
        await consumer.start()
        try:
            tps = [TopicPartition(self.topic, p) for p in range(3)]
            consumer.assign(tps)
            starts = await consumer.beginning_offsets(tps)
            ends = await consumer.end_offsets(tps)
            seen = []
            for tp in tps:
                consumer.seek(tp, starts[tp])
                while await consumer.position(tp) < ends[tp]:
                    batch = await consumer.getmany(tp, timeout_ms=1_000)
                    seen += [
                        Seen(
                            tp.partition,
                            r.key,
                            r.value or b"",
                            tuple(r.headers or ()),
                            r.timestamp,
                        )
                        for r in batch.get(tp, ())
                    ]
            return seen
        finally:
            await consumer.stop()

    async def committed(self, group: str | None = None) -> dict[int, int]:
        admin = AIOKafkaAdminClient(**self.kafka.client_options())
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(group or self.group)
        finally:
            await admin.close()
        return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == self.topic}

    async def ends(self) -> dict[int, int]:
        consumer = AIOKafkaConsumer(**self.kafka.client_options())
        await consumer.start()
        try:
            tps = [TopicPartition(self.topic, p) for p in range(3)]
            return {tp.partition: end for tp, end in (await consumer.end_offsets(tps)).items()}
        finally:
            await consumer.stop()

    async def commit(self, group: str, offsets: dict[int, int]) -> None:
        consumer = AIOKafkaConsumer(
            **self.kafka.client_options(), group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            tps = {TopicPartition(self.topic, p): o for p, o in offsets.items()}
            consumer.assign(list(tps))
            await consumer.commit(tps)
        finally:
            await consumer.stop()

    async def topics(self) -> list[str]:
        admin = AIOKafkaAdminClient(**self.kafka.client_options())
        await admin.start()
        try:
            return list(await admin.list_topics())
        finally:
            await admin.close()


@pytest.fixture
async def log(kafka_settings: KafkaSettings) -> AsyncIterator[Log]:
    """A three-partition dossier log of 2021: 12 dossiers, each received (version 1, with
    its applicant) and rated, and a group of readers stopped at its end."""
    topic = f"rewrite-test-{uuid.uuid4().hex[:8]}"
    await create_topics(kafka_settings, [TopicSpec(topic, partitions=3, retention_ms=-1)])
    producer = idempotent_producer(kafka_settings, "test")
    await producer.start()
    try:
        for n in range(12):
            code = f"STP-210302-{n:04d}".encode()
            headers = [("traceparent", f"00-{n:032x}-{n:016x}-01".encode())]
            await producer.send(topic, old_reception(code.decode()), key=code, headers=headers)
            await producer.send(topic, rating(code.decode()), key=code, headers=headers)
        await producer.flush()
    finally:
        await producer.stop()
    the_log = Log(kafka_settings, topic, f"reader-{uuid.uuid4().hex[:8]}")
    await the_log.commit(the_log.group, await the_log.ends())
    yield the_log


def personal_in(seen: list[Seen]) -> list[str]:
    return [v for s in seen for v in PERSONAL if v.encode() in s.value]


def same_but_receptions(before: list[Seen], after: list[Seen]) -> None:
    """`after` is `before` record for record, each reception read the same way."""
    assert [(s.partition, s.key, s.headers, s.timestamp) for s in after] == [
        (s.partition, s.key, s.headers, s.timestamp) for s in before
    ]
    for old, new in zip(before, after, strict=True):
        if b"dossier.received" in old.value:
            assert decode(new.value) == decode(old.value)
            assert orjson.loads(new.value)["schema_version"] == DossierReceived.schema_version
        else:
            assert new.value == old.value


async def test_the_applicant_leaves_the_log_and_every_record_comes_back(log: Log) -> None:
    before = await log.read()
    assert len(personal_in(before)) > 0
    said: list[str] = []

    done = await rewrite_topic(log.kafka, log.topic, reception_without_applicant, say=said.append)

    after = await log.read()
    assert personal_in(after) == []
    same_but_receptions(before, after)
    assert (done.done, done.records, done.changed) == (True, 24, 12)
    received = [decode(s.value).data for s in after if b"dossier.received" in s.value]
    assert all(isinstance(r, DossierReceived) and r.copied_terms for r in received)
    assert done.groups_moved == [log.group]
    assert await log.committed() == await log.ends(), "the readers do not read the copies"
    assert holding_topic(log.topic) not in await log.topics()

    again = await rewrite_topic(log.kafka, log.topic, reception_without_applicant, say=said.append)
    assert (again.done, again.changed) == (False, 0)
    assert await log.read() == after


async def test_a_dry_run_counts_and_changes_nothing(log: Log) -> None:
    before, committed = await log.read(), await log.committed()
    found = await rewrite_topic(
        log.kafka, log.topic, reception_without_applicant, dry_run=True, say=lambda _: None
    )
    assert (found.done, found.records, found.changed) == (False, 24, 12)
    assert await log.read() == before and await log.committed() == committed


async def test_a_log_still_being_read_is_refused_untouched(log: Log) -> None:
    behind = f"late-{uuid.uuid4().hex[:8]}"
    await log.commit(behind, {p: max(end - 1, 0) for p, end in (await log.ends()).items()})
    before = await log.read()
    said: list[str] = []
    with pytest.raises(RewriteRefused, match="while it is read"):
        await rewrite_topic(log.kafka, log.topic, reception_without_applicant, say=said.append)
    assert any(behind in line and "still to read" in line for line in said)
    assert await log.read() == before
    assert holding_topic(log.topic) not in await log.topics()


class Interrupted(Exception):
    pass


def stop_when(words: str) -> Any:
    def say(line: str) -> None:
        if words in line:
            raise Interrupted(line)

    return say


@pytest.mark.parametrize(
    "stopped_at",
    ["partition 0:", "emptied up to the copied end"],
    ids=["while copying", "after emptying the log"],
)
async def test_an_interrupted_rewrite_is_finished_by_running_it_again(
    log: Log, stopped_at: str
) -> None:
    before = await log.read()
    with pytest.raises(Interrupted):
        await rewrite_topic(
            log.kafka, log.topic, reception_without_applicant, say=stop_when(stopped_at)
        )
    if stopped_at == "partition 0:":  # a dry run leaves the unfinished copy as it is
        said: list[str] = []
        await rewrite_topic(
            log.kafka, log.topic, reception_without_applicant, dry_run=True, say=said.append
        )
        assert any("an unfinished copy" in line for line in said)
        assert holding_topic(log.topic) in await log.topics()

    done = await rewrite_topic(log.kafka, log.topic, reception_without_applicant, say=print)

    after = await log.read()
    assert done.done and personal_in(after) == []
    same_but_receptions(before, after)
    assert await log.committed() == await log.ends()
    assert holding_topic(log.topic) not in await log.topics()


def test_the_operator_command_counts_the_dossier_log(
    kafka_settings: KafkaSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run(
        ["scrub-receptions", "--dry-run", "--bootstrap-servers", kafka_settings.bootstrap_servers]
    )
    assert status == 0
    assert "intake.dossier-events.v1:" in capsys.readouterr().out
