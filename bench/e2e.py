"""End to end: a realistic stream through intake, every service and Prometheus running.

uv run python -m bench e2e [--stream district-year|province-day] [--dossiers 14000]
    [--stored 0,10000] [--rates 250,500,1000] [--rate-seconds 20] [--keep] [--write]

A stack of its own (`$MOTCUA_STATE_DIR`, default `.local-e2e/`: its own PostgreSQL and
Kafka, the five services, the sinks and Prometheus, on the system clock) takes:

1. **Sustained.** The stream (`bench.streams`: the demo's seeded stories, a district's
   year or a busy province's day) as one NDJSON import through intake's HTTP API. The
   clock runs from the first byte sent until every consumer group has committed the end
   of every partition it reads, every outbox is empty and the portal's queue too
   (checked twice a second), and scoring has published the figures of every key its
   events moved (its feed's queue is empty), and notify has handed every message due to
   its gateway (a citizen's SMS held for the morning by the quiet hours is not due).
   Events/s counts what intake published, over the time until scoring drained.
   Meanwhile each process's CPU time is read from /proc: µs per event for intake,
   tracking, scoring, notify, portal, PostgreSQL (with its backends), Kafka and
   Prometheus; each service's peak RSS at the end.
2. **Event → indicator.** Registrations over HTTP at fixed rates (`--rates`), each
   timed from its send until scoring's SSE stream shows its agency's received count of
   today reaching it.
3. **Baselines, same run, same broker:** raw aiokafka consume and produce of the very
   records intake published (their keys and sizes).

With `--stored`, the database first holds that many more dossiers (closed in the weeks
before today, imported and drained unmeasured) before the stream is measured again: the
same figures at each size show how costs grow.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench import scrape
from bench.loadgen import Connection, connect
from bench.procstat import CpuMeter, peak_rss_mb
from bench.report import write_section
from bench.streams import KINDS, Stream, import_lines, plan
from motcua.events.topics import DOSSIER_EVENTS, SERVICES, TopicSpec
from motcua.settings import KafkaSettings
from motcua.testing import create_topics
from motcua_demo.intake import IntakeClient
from motcua_demo.stories import Office
from motcua_devstack import postgres
from motcua_devstack.layout import STATE_ENV, Layout, find_root
from motcua_devstack.sinks import SINKS
from motcua_devstack.stack import Stack
from motcua_notify.domain.messages import Channel
from motcua_notify.settings import DispatchSettings

STATE = ".local-e2e"
VIETNAM_OFFSET = timedelta(hours=7)
BACKLOGS = (
    "motcua_outbox_backlog_events",
    "motcua_portal_sync_backlog_dossiers",
)
PENDING = "motcua_notify_pending_messages"
TARGET_RATE = 2000.0
TARGET_P99 = 1.0
_CHANNELS = ", ".join(f"'{channel.value}'" for channel in Channel)


@dataclass
class Sustained:
    """One measured stream: how long it took and what it cost."""

    stored: int
    lines: int
    events: int
    imported_s: float
    drained_s: dict[str, float]  # per service, from the first byte of the import
    cpu: dict[str, float]  # seconds per process, until the last service drained
    rss_mb: dict[str, float] = field(default_factory=dict)
    notify_pending: float = 0.0
    sent: dict[str, int] = field(default_factory=dict)  # notify's sends of this stream, per channel

    @property
    def paced_s(self) -> float:
        """The shortest time notify could take to send them under its gateways' rate limits
        (the defaults, as the stack runs them)."""
        limits = DispatchSettings().rate_limits
        return max(
            (n / limits[c].per_second for c, n in self.sent.items() if limits[c].per_second),
            default=0.0,
        )

    @property
    def indicators_s(self) -> float:
        """Until scoring applied every event and published the figures they moved."""
        return max(self.drained_s[s] for s in ("intake", "tracking", "scoring"))

    @property
    def rate(self) -> float:
        return self.events / self.indicators_s

    def micros(self, process: str) -> float:
        return 1e6 * self.cpu[process] / max(self.events, 1)


# -- the stack ------------------------------------------------------------------------------


def _stack(keep_state: bool) -> tuple[Stack, dict[str, str]]:
    state = os.environ.get(STATE_ENV) or STATE
    if Path(state).name == ".local":
        raise SystemExit("run the end-to-end benchmark on a stack of its own, not .local/")
    stack = Stack(Layout(find_root(), state), report=lambda line: print(f"  {line}"))
    if not keep_state:
        stack.down(purge=True)
    return stack, stack.up()


async def _ready(env: dict[str, str], patience: float = 180) -> None:
    deadline = time.monotonic() + patience
    async with httpx.AsyncClient(timeout=5) as http:
        waiting = list(SERVICES)
        while waiting:
            if time.monotonic() > deadline:
                raise SystemExit(f"not ready after {patience:.0f} s: {', '.join(waiting)}")
            still = []
            for service in waiting:
                try:
                    answer = await http.get(f"{env[service.upper() + '_URL']}/ready")
                    if answer.status_code != httpx.codes.OK:
                        still.append(service)
                except httpx.HTTPError:
                    still.append(service)
            waiting = still
            if waiting:
                await asyncio.sleep(1)


def _pids(stack: Stack) -> dict[str, int]:
    pids = {}
    for name in [*SERVICES, "postgres", "kafka", "prometheus", *SINKS]:
        pid = stack.pid(name)
        if pid is None:
            raise SystemExit(f"{name} is not running")
        pids[name] = pid
    return pids


# -- drained: every group at the end, every queue empty -------------------------------------


class Drain:
    """Whether everything that was sent has been applied everywhere."""

    def __init__(self, kafka: KafkaSettings, env: dict[str, str]) -> None:
        self._kafka = kafka
        self._metrics = [f"{env[s.upper() + '_URL']}/metrics" for s in SERVICES]
        self._admin = AIOKafkaAdminClient(**kafka.client_options())
        self._consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
        self._http = httpx.AsyncClient(timeout=5)
        self._scoring_db = postgres.asyncpg_dsn(env["DATABASE_URL"], "scoring")
        self._notify_db = postgres.asyncpg_dsn(env["DATABASE_URL"], "notify")

    async def owed_keys(self) -> int:
        """Indicator keys whose figures scoring has not published yet (its feed's queue)."""
        connection = await asyncpg.connect(self._scoring_db, timeout=10)
        try:
            return int(await connection.fetchval("SELECT count(*) FROM dirty_keys"))
        finally:
            await connection.close()

    async def messages_due(self) -> bool:
        """Whether notify has a message due now and not yet handed to a gateway. A
        citizen's SMS held for the morning (quiet hours, on the system clock) is not due:
        it waits by design."""
        connection = await asyncpg.connect(self._notify_db, timeout=10)
        try:
            # Two probes, each over its partial index (rows pending, rows being sent), that
            # stop at the first row found: naming every channel lets the pending index
            # (channel, not_before) stop at the first row not yet due. Counting them cost
            # 10 ms a poll while SMS waited for their gateway's rate limit.
            return bool(
                await connection.fetchval(
                    "SELECT EXISTS (SELECT FROM notifications WHERE status = 'pending'"
                    f" AND channel IN ({_CHANNELS}) AND not_before <= now())"
                    " OR EXISTS (SELECT FROM notifications WHERE status = 'sending')"
                )
            )
        finally:
            await connection.close()

    async def sent(self) -> dict[str, int]:
        """Notify's messages handed to a gateway so far, per channel (read before a
        stream and after its drain: the difference is the stream's)."""
        connection = await asyncpg.connect(self._notify_db, timeout=10)
        try:
            rows = await connection.fetch(
                "SELECT channel, count(*) AS n FROM notifications"
                " WHERE sent_at IS NOT NULL GROUP BY channel ORDER BY channel"
            )
        finally:
            await connection.close()
        return {row["channel"]: int(row["n"]) for row in rows}

    async def __aenter__(self) -> Drain:
        await self._admin.start()
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._admin.close()
        await self._consumer.stop()
        await self._http.aclose()

    async def lags(self) -> dict[str, int]:
        """Per service: messages its consumer groups have not committed yet, all topics."""
        lags = dict.fromkeys(SERVICES, 0)
        cluster = await self._consumer._client.fetch_all_metadata()
        for group, _ in await self._admin.list_consumer_groups():
            service = str(group).split(".", 1)[0]
            if service not in lags:
                continue
            committed = await self._admin.list_consumer_group_offsets(group)
            if not committed:
                continue  # a group that never had anything to read (redrive)
            partitions = [
                TopicPartition(t, p)
                for t in {tp.topic for tp in committed}
                for p in (cluster.partitions_for_topic(t) or ())
            ]
            for tp, end in (await self._consumer.end_offsets(partitions)).items():
                at = committed.get(tp)
                lags[service] += end - (at.offset if at is not None and at.offset >= 0 else 0)
        return lags

    async def gauges(self) -> dict[str, dict[str, float]]:
        """Per service, its backlog gauges."""
        found: dict[str, dict[str, float]] = {}
        names = (*BACKLOGS, PENDING)
        for service, url in zip(SERVICES, self._metrics, strict=True):
            read = scrape.sums((await self._http.get(url)).text, names)
            found[service] = {name: read.get(name, 0.0) for name in names}
        return found

    async def wait(self, patience: float, every: float = 0.5) -> dict[str, float]:
        """Per service, the monotonic time from which it was seen drained (its groups at
        the end of every partition, its outbox and queue empty) on two polls in a row,
        `every` seconds apart."""
        deadline = time.monotonic() + patience
        since: dict[str, float | None] = dict.fromkeys(SERVICES)
        done: dict[str, float] = {}
        while len(done) < len(SERVICES):
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"not drained after {patience:.0f} s: {sorted(set(SERVICES) - set(done))}"
                )
            seen = time.monotonic()
            lags, gauges = await self.lags(), await self.gauges()
            for service in SERVICES:
                if service in done:
                    continue
                empty = lags[service] == 0 and all(gauges[service][b] == 0 for b in BACKLOGS)
                # The counts in the databases last, once the rest says drained: polled all
                # along, they would load the PostgreSQL under measurement.
                empty = empty and (service != "notify" or not await self.messages_due())
                empty = empty and (service != "scoring" or await self.owed_keys() == 0)
                start = since[service]
                if empty and start is not None:
                    done[service] = start
                since[service] = (start or seen) if empty else None
            await asyncio.sleep(every)
        return done

    async def pending(self) -> float:
        """Notify's messages waiting to be sent, those held for the morning included."""
        return (await self.gauges())["notify"][PENDING]


async def _published(kafka: KafkaSettings) -> int:
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(DOSSIER_EVENTS.name, p) for p in range(DOSSIER_EVENTS.partitions)
        ]
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


# -- sustained --------------------------------------------------------------------------------


async def _body(lines: list[bytes], chunk: int = 256 * 1024) -> AsyncIterator[bytes]:
    buffer = bytearray()
    for line in lines:
        buffer += line + b"\n"
        if len(buffer) >= chunk:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


async def _import(env: dict[str, str], lines: list[bytes]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=env["INTAKE_URL"], timeout=None) as http:
        answer = await http.post(
            "/v1/imports",
            content=_body(lines),
            headers={
                "X-API-Key": env["INTAKE_ADMIN_KEY"],
                "Content-Type": "application/x-ndjson",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
    if answer.status_code != httpx.codes.OK:
        raise SystemExit(f"import refused: {answer.status_code} {answer.text[:500]}")
    report: dict[str, Any] = answer.json()
    return report


async def sustained(
    env: dict[str, str], stack: Stack, stream: Stream, stored: int, patience: float
) -> Sustained:
    """Import `stream`, wait until everything drained; time, CPU and memory."""
    kafka = KafkaSettings.from_environment(env)
    meter = CpuMeter(_pids(stack), tree=frozenset({"postgres"}))
    before = await _published(kafka)
    async with Drain(kafka, env) as drain:
        sent_before = await drain.sent()
        meter.start()
        started = time.monotonic()
        report = await _import(env, stream.lines)
        imported = time.monotonic()
        drained = await drain.wait(patience)
        cpu = meter.seconds()
        pending = await drain.pending()
        sent = {
            channel: n - sent_before.get(channel, 0) for channel, n in (await drain.sent()).items()
        }
    if report.get("rejected"):
        print(
            f"  import rejected {report['rejected']} lines: {str(report.get('rejections'))[:400]}"
        )
    events = await _published(kafka) - before
    rss = {s: peak_rss_mb(pid) for s, pid in meter.pids.items() if s in SERVICES}
    return Sustained(
        stored,
        len(stream.lines),
        events,
        imported - started,
        {service: at - started for service, at in drained.items()},
        cpu,
        rss,
        pending,
        sent,
    )


# -- event → indicator at fixed rates ---------------------------------------------------------


def _registration(office: Office, now: datetime, n: int) -> dict[str, Any]:
    procedure = office.procedures[n % len(office.procedures)]
    return {
        "procedure_code": procedure.code,
        "agency_code": office.code,
        "unit_code": office.units["one_stop"],
        "channel": "counter",
        "applicant": {"name": "Nguyễn Văn An", "national_id": f"0250900{n % 100000:05d}"},
        "components": [{"name": "Tờ khai", "original": True}],
        "received_at": now.isoformat(),
    }


async def latency(
    env: dict[str, str], offices: list[Office], keys: dict[str, str], rate: int, seconds: int
) -> tuple[list[float], float]:
    """Registrations at `rate`/s for `seconds`; each one's delay until the SSE stream
    shows its agency's received count of today reaching it. Returns (delays, rate)."""
    scoring = env["SCORING_URL"]
    today = (datetime.now(UTC) + VIETNAM_OFFSET).date().isoformat()
    sent: dict[str, list[float]] = {o.code: [] for o in offices}
    seen = dict.fromkeys(sent, 0)
    delays: list[float] = []
    async with httpx.AsyncClient(timeout=None) as http:
        snapshot = await http.get(
            scoring + "/v1/indicators", params=[("kind", "agency"), ("period", "today")]
        )
        baseline = {
            item["scope"].removeprefix("agency:"): item["figures"]["received"]
            for item in snapshot.json()["items"]
        }
        params = {"kind": "agency", "period": today}
        async with http.stream("GET", scoring + "/v1/indicators/stream", params=params) as sse:
            total = rate * seconds
            finished = asyncio.Event()

            async def read() -> None:
                fields: dict[str, str] = {}
                async for line in sse.aiter_lines():
                    if line:
                        key, _, value = line.partition(":")
                        fields[key] = value.strip()
                        continue
                    if fields.get("event") == "indicators":
                        change = orjson.loads(fields["data"])
                        agency = change["scope"].removeprefix("agency:")
                        if agency in sent:
                            count = change["figures"]["received"] - baseline.get(agency, 0)
                            now = time.perf_counter()
                            while seen[agency] < min(count, len(sent[agency])):
                                delays.append(now - sent[agency][seen[agency]])
                                seen[agency] += 1
                    if finished.is_set() and sum(seen.values()) >= total:
                        return
                    fields = {}

            reader = asyncio.create_task(read())
            achieved = await _send_paced(env["INTAKE_URL"], offices, keys, rate, total, sent)
            finished.set()
            try:
                await asyncio.wait_for(reader, timeout=60)
            except TimeoutError:
                reader.cancel()
    return delays, achieved


async def _send_paced(
    base: str,
    offices: list[Office],
    keys: dict[str, str],
    rate: int,
    total: int,
    sent: dict[str, list[float]],
) -> float:
    connections: list[Connection] = [await connect(base) for _ in range(48)]
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for connection in connections:
        free.put_nowait(connection)
    failures = 0

    async def one(n: int) -> None:
        nonlocal failures
        office = offices[n % len(offices)]
        connection = await free.get()
        try:
            body = orjson.dumps(_registration(office, datetime.now(UTC), n))
            headers = {"X-API-Key": keys[office.code], "Content-Type": "application/json"}
            sent[office.code].append(time.perf_counter())
            answer = await connection.request("POST", "/v1/dossiers", body, headers)
            if answer.status != 201:
                failures += 1
        finally:
            free.put_nowait(connection)

    per_tick = max(1, round(rate * 0.01))
    tick = per_tick / rate
    tasks: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    for i in range(0, total, per_tick):
        tasks.extend(asyncio.create_task(one(n)) for n in range(i, min(i + per_tick, total)))
        pause = started + (i // per_tick + 1) * tick - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
    await asyncio.gather(*tasks)
    achieved = total / (time.perf_counter() - started)
    for connection in connections:
        connection.close()
    if failures:
        print(f"  {failures} registrations refused at {rate}/s")
    return achieved


# -- baselines ---------------------------------------------------------------------------------


async def baselines(kafka: KafkaSettings, n: int) -> tuple[float, float]:
    """(raw consume/s, raw produce/s) of `n` of the records intake published."""
    consumer = AIOKafkaConsumer(
        DOSSIER_EVENTS.name,
        **kafka.client_options(),
        group_id=f"raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    records: list[tuple[bytes | None, bytes]] = []
    started: float | None = None
    try:
        while len(records) < n:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            if batch and started is None:
                started = time.perf_counter()
            for partition in batch.values():
                records.extend((r.key, r.value or b"") for r in partition)
            await consumer.commit()
    finally:
        await consumer.stop()
    consume = len(records) / (time.perf_counter() - (started or time.perf_counter()))
    topic = f"bench.e2e-raw.{uuid.uuid4().hex[:8]}"
    await create_topics(kafka, [TopicSpec(topic, partitions=DOSSIER_EVENTS.partitions)])
    producer = AIOKafkaProducer(
        **kafka.client_options(),
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    try:
        begun = time.perf_counter()
        futures = [await producer.send(topic, value, key=key) for key, value in records[:n]]
        await asyncio.gather(*futures)
        produce = n / (time.perf_counter() - begun)
    finally:
        await producer.stop()
    return consume, produce


# -- the run -----------------------------------------------------------------------------------


PRELOAD_DAYS = 84
"""Stored dossiers are received over these days before today and closed within hours:
inside intake's retention (90 days after a dossier's last event), so their applicants are
not erased during a run. Closed two years ago, a million of them were all erased at once
in the run: a wave of a million erasures through notify and the portal, which is not the
cost of holding a million dossiers (`bench statements` times the erasures)."""


def _preload(offices: list[Office], count: int, start: int, before: date) -> list[bytes]:
    """`count` simple finished dossiers received in the `PRELOAD_DAYS` before `before`
    (unmeasured)."""
    lines = []
    first = datetime.combine(before - timedelta(days=PRELOAD_DAYS), datetime.min.time(), UTC)
    a_round = 20_000  # receptions spread over the days, then again from the first
    spread = PRELOAD_DAYS * 24 * 60 // a_round  # minutes between receptions
    for n in range(start, start + count):
        office = offices[n % len(offices)]
        received = first + timedelta(minutes=spread * (n % a_round), hours=1 + n % 5)
        body = _registration(office, received, n)
        code = f"{office.code}-PRE-{n:08d}"
        events = [
            {
                "type": "processing_finished",
                "outcome": "approved",
                "unit_code": office.units["one_stop"],
                "occurred_at": (received + timedelta(hours=2)).isoformat(),
            }
        ]
        line = {"kind": "registration", "dossier": {**body, "dossier_code": code}, "events": events}
        lines.append(orjson.dumps(line))
    return lines


async def run(args: argparse.Namespace, stack: Stack, env: dict[str, str]) -> dict[str, Any]:
    await _ready(env)
    kafka = KafkaSettings.from_environment(env)
    today = (datetime.now(UTC) + VIETNAM_OFFSET).date()
    async with httpx.AsyncClient(base_url=env["INTAKE_URL"], timeout=30) as http:
        client = IntakeClient(http, env["INTAKE_ADMIN_KEY"])
        offices = await client.offices()
        keys = {o.code: await client.key_for(o.code) for o in offices}
    stories = plan(args.stream, offices, args.dossiers, args.seed, today)
    print(f"{args.stream}: {len(stories):,} dossiers planned over {len(offices)} offices")
    results: dict[str, Any] = {"sustained": [], "latency": {}, "offices": len(offices)}
    stored = 0
    for level in args.stored:
        if level > stored:
            print(f"storing {level - stored:,} more dossiers first (not measured)")
            await _import(env, _preload(offices, level - stored, stored, today))
            async with Drain(kafka, env) as drain:
                await drain.wait(args.patience, every=5)  # not timed: polled less often
            stored = level
        stream = import_lines(args.stream, stories, f"E{uuid.uuid4().hex[:4].upper()}", today)
        print(f"  importing {len(stream.lines):,} lines with {stored:,} dossiers stored")
        measured = await sustained(env, stack, stream, stored, args.patience)
        print(
            f"  {measured.events:,} events applied by scoring in {measured.indicators_s:.1f} s:"
            f" {measured.rate:,.0f} events/s (import answered after {measured.imported_s:.1f} s;"
            f" drained: {_drained(measured)})"
        )
        results["sustained"].append(measured)
    for rate in args.rates:
        delays, achieved = await latency(env, offices, keys, rate, args.rate_seconds)
        results["latency"][rate] = (delays, achieved)
        if delays:
            ordered = sorted(delays)
            print(
                f"  {rate}/s (achieved {achieved:,.0f}): p50 {statistics.median(ordered):.3f} s, "
                f"p99 {ordered[int(len(ordered) * 0.99) - 1]:.3f} s, {len(delays)} seen"
            )
    events = results["sustained"][0].events
    results["baselines"] = await baselines(kafka, events)
    results["load"] = os.getloadavg()
    return results


def _drained(m: Sustained) -> str:
    return ", ".join(f"{s} {m.drained_s[s]:.1f} s" for s in SERVICES)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)] if ordered else float("nan")


def report(args: argparse.Namespace, r: dict[str, Any]) -> str:
    consume, produce = r["baselines"]
    runs: list[Sustained] = r["sustained"]
    processes = [*SERVICES, "postgres", "kafka", "prometheus"]
    stored = ",".join(str(s) for s in args.stored)
    rates = ",".join(str(x) for x in args.rates)
    lines = [
        "## End to end (issue: the whole pipeline fast)",
        "",
        f"`uv run --frozen python -m bench e2e --stream {args.stream} --dossiers {args.dossiers}"
        f" --stored {stored} --rates {rates} --rate-seconds {args.rate_seconds}`: a stack of its"
        f" own (`.local-e2e/`), the five services, the sinks and Prometheus, {r['offices']}"
        " offices of the seeded catalogue. The stream is one NDJSON import through intake;"
        " drained means every consumer group committed the end of every partition, every"
        " outbox and the portal's queue are empty, and scoring published the figures of"
        " every key the events moved.",
        "",
        "| stored dossiers | lines | dossier events | import answered | scoring applied all |"
        " events/s | ratio to raw consume | ratio to raw produce | notify, portal drained |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in runs:
        lines.append(
            f"| {m.stored:,} | {m.lines:,} | {m.events:,} | {m.imported_s:.1f} s |"
            f" {m.indicators_s:.1f} s | {m.rate:,.0f} | {m.rate / consume:.3f} |"
            f" {m.rate / produce:.3f} | {m.drained_s['notify']:.1f} s,"
            f" {m.drained_s['portal']:.1f} s |"
        )
    lines += [
        f"| raw aiokafka consume + commit of the same records | | | | | {consume:,.0f} | 1.000"
        " | | |",
        f"| raw aiokafka produce of the same records (idempotent, acks=all) | | | | |"
        f" {produce:,.0f} | | 1.000 | |",
        "",
        "CPU per dossier event (µs), from the import's first byte until every service drained:",
        "",
        "| stored | " + " | ".join(processes) + " | all |",
        "|---:|" + "---:|" * (len(processes) + 1),
    ]
    for m in runs:
        cells = " | ".join(f"{m.micros(p):,.0f}" for p in processes)
        total = sum(m.micros(p) for p in processes)
        lines.append(f"| {m.stored:,} | {cells} | {total:,.0f} |")
    last = runs[-1]
    lines += [
        "",
        "The stand-ins for the outside world share the same two cores, outside `all`"
        " (µs a dossier event): "
        + "; ".join(
            f"{m.stored:,} stored: " + ", ".join(f"{s} {m.micros(s):,.0f}" for s in SINKS)
            for m in runs
        )
        + ".",
        "",
        "Peak RSS per service (MB): "
        + ", ".join(f"{s} {last.rss_mb[s]:.0f}" for s in SERVICES)
        + f"; notify messages still pending when drained: {last.notify_pending:.0f}"
        " (held for office hours or quiet hours, by design).",
        "",
        "Notify's messages sent: "
        + ", ".join(f"{c} {n:,}" for c, n in last.sent.items())
        + f". Under the gateways' default rate limits (`NOTIFY_DISPATCH__RATE_LIMITS`) they"
        f" take at least {last.paced_s:,.0f} s to send, whatever the CPU: notify drained in"
        f" {last.drained_s['notify']:.0f} s.",
        "",
        "Event → indicator (HTTP registration sent → scoring's SSE shows it):",
        "",
        "| target rate | achieved | p50 | p99 | seen |",
        "|---:|---:|---:|---:|---:|",
    ]
    for rate, (delays, achieved) in r["latency"].items():
        lines.append(
            f"| {rate:,}/s | {achieved:,.0f}/s | {_percentile(delays, 0.5):.3f} s |"
            f" {_percentile(delays, 0.99):.3f} s | {len(delays):,} |"
        )
    best = max(m.rate for m in runs)
    lines += [
        "",
        f"Sustained: {best:,.0f} events/s against ≥ {TARGET_RATE:,.0f}: "
        + ("target met." if best >= TARGET_RATE else "target NOT met."),
        f"Load average after the run: {r['load'][0]:.1f} on {os.cpu_count()} cores.",
    ]
    return "\n".join(lines)


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench e2e")
    parser.add_argument("--stream", choices=KINDS, default="district-year")
    parser.add_argument("--dossiers", type=int, default=14_000)
    parser.add_argument("--stored", type=_ints, default=[0])
    parser.add_argument("--rates", type=_ints, default=[250, 500, 1000])
    parser.add_argument("--rate-seconds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--patience", type=float, default=1800)
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument("--keep-state", action="store_true", help="do not purge it first")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv or [])
    stack, env = _stack(args.keep_state)
    try:
        results = asyncio.run(run(args, stack, env))
    finally:
        if not args.keep:
            stack.down()
    body = report(args, results)
    print(body)
    if args.write:
        write_section("e2e", body)
