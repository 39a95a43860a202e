"""Notifications per second end to end, beside the raw aiokafka consume rate of the same events.

uv run python -m bench notify [--dossiers 5000]

Each dossier is a DossierReceived and an ApplicantRecorded (intake, on their own
topics) and a DeadlineSet (tracking); the applicant consented to email only: one
receipt (form 01) by email, two rows skipped for no consent. The events are produced
to Kafka while the notify app runs (real lifespan: consumer → delivery log →
dispatcher → SMTP) against an aiosmtpd server in its own process that counts
Message-IDs, so duplicates would show.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from bench.baselines import raw_consume
from bench.report import write_section
from bench.stack import infrastructure
from motcua.db import create_engine
from motcua.events import (
    Applicant,
    ApplicantRecorded,
    Channel,
    Consent,
    DeadlineSet,
    Envelope,
    ProcedureTerms,
    ProcessingTime,
    encode,
)
from motcua.events.topics import TopicSpec, dead_letter_topic, redrive_topic
from motcua.settings import ConsumerSettings, DatabaseSettings, KafkaSettings
from motcua.testing import create_database, create_topics, drop_database, free_port
from motcua.testing.catalogue import reception, revisions_named
from motcua_notify.app import create_app
from motcua_notify.settings import (
    DigestSettings,
    DispatchSettings,
    NotifySettings,
    RateLimit,
    SmtpSettings,
    TopicSettings,
)

MORNING = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
PROCEDURE = ProcedureTerms(
    code="1.001877",
    name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    field="Lý lịch tư pháp",
    processing_time=ProcessingTime(unit="working_days", amount=10),
)
SMTP_SERVER = """
import asyncio, json, sys, time
from aiosmtpd.controller import Controller

ids, out = [], sys.argv[2]

class Counter:
    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\\r\\n"):
            if line.lower().startswith(b"message-id:"):
                ids.append(line.split(b":", 1)[1].strip().decode())
                break
        return "250 OK"

controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
while True:
    time.sleep(0.1)
    with open(out + ".tmp", "w") as f:
        json.dump({"count": len(ids), "unique": len(set(ids))}, f)
    import os; os.replace(out + ".tmp", out)
"""


def events(n: int) -> tuple[list[Envelope], list[Envelope], list[Envelope]]:
    received: list[Envelope] = []
    applicants: list[Envelope] = []
    deadlines: list[Envelope] = []
    for i in range(n):
        code = f"STP-261120-{i:06d}"
        applicant = Applicant(
            name="Nguyễn Văn An",
            national_id="025090001234",
            email=f"cong.dan.{i}@example.vn",
            phone="0912345678",
            consent=Consent(email=True),
        )
        data = reception(PROCEDURE, unit_code="STP.MC", channel=Channel.COUNTER)
        deadline = DeadlineSet(
            appointment_at=MORNING + timedelta(days=14),
            counting_from=MORNING,
            unit_code="STP.MC",
            procedure_code=PROCEDURE.code,
            procedure_name=PROCEDURE.name,
        )
        for bucket, payload, producer in (
            (received, data, "intake"),
            (applicants, ApplicantRecorded(applicant=applicant), "intake"),
            (deadlines, deadline, "tracking"),
        ):
            bucket.append(
                Envelope.wrap(
                    payload,
                    producer=producer,
                    occurred_at=MORNING,
                    now=MORNING,
                    dossier_code=code,
                    agency_code="STP",
                )
            )
    return received, applicants, deadlines


def smtp_count(path: Path) -> dict[str, int]:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {"count": 0, "unique": 0}


async def produce(kafka: KafkaSettings, batches: list[tuple[str, list[Envelope]]]) -> float:
    producer = AIOKafkaProducer(
        **kafka.client_options(), enable_idempotence=True, acks="all", linger_ms=5
    )
    await producer.start()
    started = time.perf_counter()
    futures = [
        await producer.send(topic, encode(e), key=e.key.encode())
        for topic, envelopes in batches
        for e in envelopes
    ]
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - started
    await producer.stop()
    return elapsed


async def run(n: int) -> dict[str, float]:
    kafka, base_url = infrastructure()
    run_id = uuid.uuid4().hex[:8]
    dossier_topic, applicant_topic, tracking_topic = (
        f"bench.notify-dossiers.{run_id}.v1",
        f"bench.notify-applicants.{run_id}.v1",
        f"bench.notify-tracking.{run_id}.v1",
    )
    notices = f"bench.notify-notices.{run_id}.v1"
    procedures = f"bench.notify-procedures.{run_id}.v1"
    service = f"notify-bench-{run_id}"  # its own consumer group, apart from a running stack
    await create_topics(
        kafka,
        [
            TopicSpec(dossier_topic, 6),
            TopicSpec(applicant_topic, 6),
            TopicSpec(tracking_topic, 6),
            TopicSpec(notices, 3),
            TopicSpec(procedures, 1),
            dead_letter_topic(service),
            redrive_topic(service),
        ],
    )
    db_name = f"bench_notify_{run_id}"
    await create_database(base_url, db_name)
    port = free_port()
    counts = Path(tempfile.mkdtemp()) / "smtp.json"
    smtp = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SMTP_SERVER, str(port), str(counts)
    )
    settings = NotifySettings(
        service_name=service,
        log_level="WARNING",
        database=DatabaseSettings(url=f"{base_url}/{db_name}", pool_size=10),
        kafka=kafka,
        consumer=ConsumerSettings(max_records=1000),
        topics=TopicSettings(
            dossier_events=dossier_topic,
            tracking_events=tracking_topic,
            applicants=applicant_topic,
            procedures=procedures,
            notifications=notices,
        ),
        smtp=SmtpSettings(host="127.0.0.1", port=port, pool_size=16),
        sms=NotifySettings().sms.model_copy(update={"enabled": False}),
        zalo=NotifySettings().zalo.model_copy(update={"enabled": False}),
        webhook=NotifySettings().webhook.model_copy(update={"enabled": False}),
        dispatch=DispatchSettings(
            batch_size=500,
            concurrency=64,
            idle_poll_seconds=0.05,
            rate_limits={"email": RateLimit(per_second=0)},
        ),
        digest=DigestSettings(enabled=False),
    )
    received, applicants, deadlines = events(n)
    results: dict[str, float] = {}
    app = create_app(settings)
    engine = create_engine(DatabaseSettings(url=f"{base_url}/{db_name}", pool_size=2))
    try:
        async with app.router.lifespan_context(app):
            await asyncio.sleep(3)  # the consumer joins its group
            started = time.perf_counter()
            results["produce_seconds"] = await produce(
                kafka,
                [
                    (procedures, revisions_named(received)),
                    (dossier_topic, received),
                    (applicant_topic, applicants),
                    (tracking_topic, deadlines),
                ],
            )
            while smtp_count(counts)["count"] < n:
                await asyncio.sleep(0.05)
                if time.perf_counter() - started > 180:
                    raise TimeoutError("notifications did not all arrive in 3 minutes")
            results["end_to_end"] = n / (time.perf_counter() - started)
            await asyncio.sleep(1.0)
        async with engine.connect() as conn:
            first, last_written, first_sent, last_sent = (
                await conn.execute(
                    text(
                        "SELECT min(created_at), max(created_at), min(sent_at), max(sent_at)"
                        " FROM notifications"
                    )
                )
            ).one()
            rows = (await conn.execute(text("SELECT count(*) FROM notifications"))).scalar_one()
        results["recorded_rows_per_s"] = rows / max((last_written - first).total_seconds(), 1e-3)
        results["dispatch"] = n / max((last_sent - first_sent).total_seconds(), 1e-3)
        final = smtp_count(counts)
        results["smtp_received"] = final["count"]
        results["smtp_unique"] = final["unique"]
        results["raw_consume"] = await raw_consume(
            kafka, [dossier_topic, applicant_topic, tracking_topic], 3 * n
        )
    finally:
        smtp.terminate()
        await smtp.wait()
        await engine.dispose()
        await drop_database(base_url, db_name)
    return results


def report(n: int, r: dict[str, float]) -> str:
    events_per_s = 3 * n * r["end_to_end"] / n
    lines = [
        "## Notify end to end (issue: notify)",
        "",
        f"`uv run python -m bench notify --dossiers {n}`: {n:,} dossiers, each a"
        " DossierReceived, an ApplicantRecorded and a DeadlineSet on 6-partition topics,"
        " giving one receipt email (form 01) and two rows skipped for no consent; notify runs"
        " its real lifespan (idempotent consumer →"
        " delivery log → dispatcher, 2 workers, 16 pooled SMTP connections, email rate limit"
        " lifted) against"
        " aiosmtpd in its own process on loopback. Target ≥ 500 notifications/s.",
        "",
        "| path | rate | unit |",
        "|---|---:|---|",
        f"| raw aiokafka consume + commit of the same {3 * n:,} events — ceiling |"
        f" {r['raw_consume']:,.0f} | events/s |",
        f"| end to end: first event produced → last email accepted by SMTP |"
        f" {r['end_to_end']:,.0f} | notifications/s ({events_per_s:,.0f} events/s) |",
        f"| consumer: rows written to the delivery log (3 per dossier) |"
        f" {r['recorded_rows_per_s']:,.0f} | rows/s |",
        f"| dispatcher: first to last email sent | {r['dispatch']:,.0f} | notifications/s |",
        "",
        f"SMTP server received {int(r['smtp_received']):,} messages,"
        f" {int(r['smtp_unique']):,} distinct Message-IDs (no duplicates when equal to"
        f" {n:,}). Producing the events took {r['produce_seconds']:.2f} s of the end-to-end time.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=5000)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.dossiers))
    text_ = report(args.dossiers, results)
    print(text_)
    write_section("notify", text_)
