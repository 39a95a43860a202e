"""After the run: what the services hold, against the simulator's own record.

- every event on the dossier and deadline topics applied by each service reading them,
  of the types it applies (lost: on the topic, not in its `processed_events`);
  duplicated: an event id written to a topic more than once (a relay re-sending;
  harmless, consumers skip it);
- every accepted registration tracked, ended as the record says, with its appointment;
- scoring's counted figures per agency equal to `motcua_demo.expected`;
- every notification recorded once per (event, message, audience, channel, unit,
  recipient), and sent;
- dead letters: exactly the malformed messages injected, once per consuming service;
- every registered dossier on the fake national portal with tracking's status and one
  progress entry per accepted step, in order (`bench.chaos.portal`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.chaos.portal import check_portal
from motcua.events.topics import DOSSIER_EVENTS, TRACKING_EVENTS
from motcua.settings import KafkaSettings
from motcua_demo.calendar import OfficeCalendar
from motcua_demo.expected import COUNTED, Outcome, expected_counts, outcome
from motcua_demo.simulator import Record
from motcua_demo.stories import Story
from motcua_notify.service.reactions import HANDLED_TYPES
from motcua_portal.service.ingest import KEPT_EVENTS
from motcua_scoring.service.translation import COUNTED_TYPES

_CALENDAR = OfficeCalendar()
BOTH = (DOSSIER_EVENTS.name, TRACKING_EVENTS.name)
READERS: dict[str, tuple[tuple[str, ...], frozenset[str] | None]] = {
    "tracking": ((DOSSIER_EVENTS.name,), None),
    "scoring": (BOTH, COUNTED_TYPES),
    "notify": (BOTH, HANDLED_TYPES),
    "portal": (BOTH, KEPT_EVENTS),
}
"""The topics each service reads, and the only event types it applies (None: all)."""
SENT = {"accepted", "delivered", "sent"}
MALFORMED = b'{"not": "an event"}'


@dataclass
class Verdict:
    """The end-of-run comparison; `problems` is empty when everything matches."""

    figures: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    """A few of the mismatches found, to start an investigation from."""

    def count(self, name: str, value: int, *, bad: bool = True) -> None:
        self.figures[name] = value
        if bad and value:
            self.problems.append(f"{name}: {value}")


async def topic_events(
    kafka: KafkaSettings, topic: str
) -> tuple[Counter[str], int, dict[str, str]]:
    """Event ids on a topic (with how often each was written), the malformed records, and
    each event's type."""
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        if not partitions:
            partitions = [
                TopicPartition(topic, p)
                for p in (await consumer._client.fetch_all_metadata()).partitions_for_topic(topic)
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        ids: Counter[str] = Counter()
        kinds: dict[str, str] = {}
        malformed = 0
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for records in batches.values():
                for record in records:
                    try:
                        event = json.loads(record.value)
                        event_id = str(event["event_id"])
                        kinds[event_id] = str(event["event_type"])
                    except (ValueError, KeyError, TypeError):
                        malformed += 1
                        continue
                    ids[event_id] += 1
        return ids, malformed, kinds
    finally:
        await consumer.stop()


async def inject_malformed(kafka: KafkaSettings, how_many: int) -> None:
    """Put messages no consumer can read on the dossier topic (they must be dead-lettered)."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(**kafka.client_options(), acks="all")
    await producer.start()
    try:
        for n in range(how_many):
            await producer.send_and_wait(DOSSIER_EVENTS.name, MALFORMED, key=f"chaos-{n}".encode())
    finally:
        await producer.stop()


async def compare(
    kafka: KafkaSettings,
    databases: dict[str, str],
    urls: dict[str, str],
    operator_token: str,
    run: tuple[list[Story], Record, date],
    injected: int,
) -> Verdict:
    stories, record, last_day = run
    verdict = Verdict()
    topics = {t: await topic_events(kafka, t) for t in (DOSSIER_EVENTS.name, TRACKING_EVENTS.name)}
    verdict.count(
        "events written twice to a topic (skipped by consumers)",
        sum(n - 1 for ids, _, _ in topics.values() for n in ids.values()),
        bad=False,
    )
    for service, (names, applied_types) in READERS.items():
        wanted = {
            event_id
            for t in names
            for event_id in topics[t][0]
            if applied_types is None or topics[t][2][event_id] in applied_types
        }
        applied = await _processed(databases[service])
        verdict.count(f"{service}: events lost", len(wanted - applied))
        letters = await _dead_letters(databases[service])
        verdict.count(
            f"{service}: dead letters of valid events",
            sum(n for reason, n in letters.items() if reason != "invalid_event"),
        )
        invalid = letters.get("invalid_event", 0)
        verdict.count(
            f"{service}: injected malformed messages not dead-lettered", max(injected - invalid, 0)
        )
        verdict.count(
            f"{service}: malformed messages dead-lettered twice", max(invalid - injected, 0)
        )
    await _tracking(verdict, urls["tracking"], operator_token, stories, record)
    await _scoring(verdict, urls["scoring"], stories, record, last_day)
    await _notify(verdict, databases["notify"])
    await check_portal(
        verdict.count,
        verdict.examples,
        databases["portal"],
        urls["dvcqg"],
        (urls["tracking"], operator_token),
        (stories, record),
    )
    return verdict


async def _processed(dsn: str) -> set[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT DISTINCT event_id::text AS id FROM processed_events")
        return {row["id"] for row in rows}
    finally:
        await connection.close()


async def _dead_letters(dsn: str) -> dict[str, int]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT reason, count(*) AS n FROM dead_letters GROUP BY 1")
        return {row["reason"]: int(row["n"]) for row in rows}
    finally:
        await connection.close()


async def _tracking(
    verdict: Verdict, base: str, token: str, stories: list[Story], record: Record
) -> None:
    missing = wrong_state = wrong_deadline = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=10, headers=headers) as http:
        for story in stories:
            known = outcome(story, record)
            if known is None:
                continue
            response = await http.get(f"/v1/dossiers/{record.codes[story.number]}")
            if response.status_code != 200:
                missing += 1
                continue
            view: dict[str, Any] = response.json()
            if (view["finished_at"] is not None) != (known.ended is not None):
                wrong_state += 1
            # `due_at`: the statutory appointment with the pauses of supplements that came
            # back (None while one is awaited: then the receipt's appointment stands).
            due = view["due_at"] or view["appointment_at"]
            # Tracking's calendar counts whole seconds; the simulator's keeps microseconds.
            if abs(datetime.fromisoformat(due) - _appointment(known)) >= _RESOLUTION:
                wrong_deadline += 1
                if wrong_deadline <= 5:
                    steps = ", ".join(f"{s.type}@{s.at:%H:%M:%S}" for s in known.steps)
                    verdict.examples.append(
                        f"{record.codes[story.number]} ({story.fate}): expected"
                        f" {_appointment(known).isoformat()}, tracking due_at {view['due_at']}"
                        f" appointment_at {view['appointment_at']}; steps: {steps}"
                    )
    verdict.count("tracking: registered dossiers missing", missing)
    verdict.count("tracking: dossiers in the wrong state", wrong_state)
    verdict.count("tracking: dossiers with the wrong appointment", wrong_deadline)


_RESOLUTION = timedelta(seconds=1)


def _appointment(known: Outcome) -> datetime:
    """The appointment the played steps imply. The plan's (`story.appointment`) carries
    the pause of its supplement; a supplement that has not come back by the end of the
    played day pauses nothing yet, so the receipt's appointment stands."""
    story = known.story
    if any(step.type == "supplement_received" for step in known.steps):
        return story.appointment
    procedure = story.procedure
    return _CALENDAR.appointment(story.received_at, procedure.working_days, procedure.late_cutoff)


async def _scoring(
    verdict: Verdict, base: str, stories: list[Story], record: Record, last_day: date
) -> None:
    expected = expected_counts(stories, record, last_day)
    first = min(s.at for story in stories for s in story.steps).date()
    period = f"{first.isoformat()}..{last_day.isoformat()}"
    off = 0
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        for agency, counts in expected.items():
            response = await http.get(
                "/v1/indicators", params={"scope": f"agency:{agency}", "period": period}
            )
            figures = response.json()["items"][0]["figures"]
            off += sum(1 for k in COUNTED if int(figures.get(k, 0)) != counts[k])
    verdict.count("scoring: agency figures that differ from the record", off)


async def _notify(verdict: Verdict, dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        doubled = await connection.fetchval(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM notifications"
            " GROUP BY source_event_id, message_type, audience, channel, unit_code,"
            " recipient_hash) AS g"
        )
        statuses = await connection.fetch(
            "SELECT status, count(*) AS n FROM notifications GROUP BY 1"
        )
    finally:
        await connection.close()
    verdict.count("notify: notifications recorded twice", int(doubled))
    by_status = {row["status"]: int(row["n"]) for row in statuses}
    verdict.count("notify: notifications", sum(by_status.values()), bad=False)
    pending = sum(n for s, n in by_status.items() if s not in SENT and s != "suppressed")
    verdict.count("notify: notifications not sent (any status but sent)", pending, bad=False)
    verdict.figures["notify: statuses"] = by_status  # type: ignore[assignment]
