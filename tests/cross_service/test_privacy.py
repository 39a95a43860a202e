"""After an erasure, nothing personal is readable anywhere (docs/privacy.md).

A citizen's dossier goes through intake, tracking, notify, scoring and the portal sync on
the real broker and databases: the receipt is mailed, the look-up answers to their phone,
the national portal (a stand-in served over HTTP) receives the dossier with its applicant
and the portal service keeps its copy. Then an administrator erases the applicant. Each
service deletes its copy, compaction removes the record from the applicants' topic, and a
search for every personal value in every table of every service, every topic the
services wrote (dead letters included), the logs and the metrics finds nothing. The
dossier, its events and its indicators stay.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import REGISTRY, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from motcua.events import ApplicantErased, Envelope, encode
from motcua.events.topics import dead_letter_topic

pytestmark = [pytest.mark.infra, pytest.mark.province_portal]

NAME = "Phạm Thị Riêng Tư"
NATIONAL_ID = "079123456789"
PROXY_ID = "079987654321"
PHONE, PHONE_E164 = "0909123456", "+84909123456"
EMAIL = "rieng.tu@example.vn"
ADDRESS = "Số 7 ngõ Bí Mật, phường Việt Trì"
_BYTEA = re.compile(r"\\+x((?:[0-9a-f]{2})+)")
PERSONAL = (NAME, NATIONAL_ID, PROXY_ID, PHONE, PHONE_E164, "909123456", EMAIL, ADDRESS)


def at(moment: str) -> datetime:
    return datetime.fromisoformat(f"{moment}+07:00")


def _found(blob: str) -> list[str]:
    return [value for value in PERSONAL if value in blob]


async def _every_row(url: str) -> str:
    """Every row of every table of a database, as text (bytea columns decoded)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            tables = list(
                (
                    await conn.execute(
                        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                    )
                ).scalars()
            )
            rows = []
            for table in tables:
                found = await conn.execute(text(f'SELECT t::text FROM "{table}" t'))
                rows += [f"{table}: {_decoded(row[0])}" for row in found]
            return "\n".join(rows)
    finally:
        await engine.dispose()


async def _portal_holds(province, table: str, code: str) -> bool:
    """Whether the portal service's table has a row of the dossier."""
    engine = create_async_engine(province.database_urls["portal"])
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text(f'SELECT count(*) FROM "{table}" WHERE code = :code'), {"code": code}
            )
            return bool(found.scalar_one())
    finally:
        await engine.dispose()


def _decoded(row: str) -> str:
    return _BYTEA.sub(lambda m: bytes.fromhex(m[1]).decode("utf-8", "replace"), row)


async def _topic_text(province, topic: str) -> str:
    consumer = AIOKafkaConsumer(
        topic,
        **province.kafka.client_options(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        values: list[str] = []
        while batch := await consumer.getmany(timeout_ms=1500):
            for records in batch.values():
                values += [(r.value or b"").decode("utf-8", "replace") for r in records]
        return "\n".join(values)
    finally:
        await consumer.stop()


async def _roll_every_partition(province, round_: int) -> None:
    topic = province.topics.applicants
    producer = AIOKafkaProducer(**province.kafka.client_options())
    await producer.start()
    try:
        for partition in await producer.partitions_for(topic):
            filler = f"STP-260601-9{partition}{round_:06d}"
            erased = Envelope.wrap(
                ApplicantErased(reason="request"),
                producer="intake",
                occurred_at=at("2026-06-01T10:00:00"),
                now=at("2026-06-01T10:00:00"),
                dossier_code=filler,
                agency_code="STP",
            )
            await producer.send_and_wait(
                topic, encode(erased), key=filler.encode(), partition=partition
            )
    finally:
        await producer.stop()


async def test_after_an_erasure_nothing_personal_is_readable_anywhere(province, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    registered = await province.post(
        "/v1/dossiers",
        {
            "procedure_code": "2.001417",
            "agency_code": "STP",
            "unit_code": "STP.MC",
            "channel": "counter",
            "applicant": {
                "name": NAME,
                "national_id": NATIONAL_ID,
                "phone": PHONE,
                "email": EMAIL,
                "address": ADDRESS,
                "consent": {"email": True},
            },
            "proxy": {"name": "Người Được Uỷ Quyền", "national_id": PROXY_ID},
            "received_at": at("2026-06-01T09:00:00").isoformat(),
        },
        at=at("2026-06-01T09:01:00"),
    )
    code = registered["code"]
    await province.notifications(code, "receipt")
    assert any(EMAIL in str(m["To"]) for m in province.mailbox.messages)

    async def looked_up() -> int:
        response = await province.clients["tracking"].get(
            f"/v1/lookup/{code}", params={"phone_last4": PHONE[-4:]}
        )
        return response.status_code == 200

    await province.eventually(looked_up)

    async def on_the_national_portal() -> dict | None:
        record: dict | None = (await province.national_portal.received(code))["record"]
        return record

    record = await province.eventually(on_the_national_portal, within=60)
    assert (record["ChuHoSo"], record["SoGiayToChuHoSo"]) == (NAME, NATIONAL_ID)
    assert (record["SoDienThoai"], record["Email"]) == (PHONE_E164, EMAIL)
    assert await _portal_holds(province, "portal_applicants", code)
    assert NAME in _found(await _every_row(province.database_urls["portal"]))

    erased = await province.clients["intake"].post(
        f"/v1/dossiers/{code}/erasure",
        json={"note": "Đơn đề nghị xoá dữ liệu cá nhân"},
        headers={"X-API-Key": province.admin_key},
    )
    assert erased.status_code == 200, erased.text

    async def forgotten() -> bool:
        response = await province.clients["tracking"].get(
            f"/v1/lookup/{code}", params={"phone_last4": PHONE[-4:]}
        )
        return response.status_code == 404

    await province.eventually(forgotten)

    async def portal_forgot() -> bool:
        return await _portal_holds(province, "portal_erasures", code) and not (
            await _portal_holds(province, "portal_applicants", code)
        )

    await province.eventually(portal_forgot)

    async def nowhere_in_the_databases() -> bool:
        everything = [await _every_row(url) for url in province.database_urls.values()]
        return not _found("\n".join(everything))

    await province.eventually(nowhere_in_the_databases, within=60)

    # Compaction removes the record from the applicants' topic. The test topic rolls its
    # segments every second, but a segment rolls only when a record follows: each check
    # writes one erasure of an unrelated code to every partition, which closes the segment
    # holding this dossier's records.
    rounds = iter(range(1000))

    async def compacted() -> bool:
        await _roll_every_partition(province, next(rounds))
        return not _found(await _topic_text(province, province.topics.applicants))

    await province.eventually(compacted, within=120)

    topics = [t for name, t in province.topics.by_role().items() if name != "applicants"]
    topics += [dead_letter_topic(name).name for name in province.service_names.values()]
    for topic in topics:
        assert _found(await _topic_text(province, topic)) == [], topic
    # Every service's log, from the start; `mail.log` is the stand-in mail server, which
    # receives the receipt by design.
    logged = [
        f"{r.name}: {r.getMessage()} {r.__dict__}"
        for r in caplog.records
        if not r.name.startswith("mail.")
    ]
    assert [line for line in logged if _found(line)] == []
    assert _found(generate_latest(REGISTRY).decode()) == []

    # The dossier itself stays.
    stored = await province.clients["intake"].get(
        f"/v1/dossiers/{code}", headers={"X-API-Key": province.stp_key}
    )
    assert stored.status_code == 200
