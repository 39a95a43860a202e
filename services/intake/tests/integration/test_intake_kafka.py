"""Intake on the real broker: events leave in order, commands come in, refusals go to the DLQ."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from motcua.events import decode
from motcua.events.topics import TopicSpec, dead_letter_topic
from motcua.testing import eventually
from motcua.testing.kafka import end_offsets, read_since

pytestmark = pytest.mark.infra

DLQ = dead_letter_topic("intake")
ADMIN_KEY = "test-admin-key-000000000000"


async def test_a_dossiers_events_are_published_in_order_keyed_by_its_code(
    intake, registration, kafka_settings
):
    start = await end_offsets(kafka_settings, TopicSpec(intake.topics.dossier_events, 6))
    personal_start = await end_offsets(kafka_settings, TopicSpec(intake.topics.applicants, 6))
    at = intake.clock.now().isoformat()
    code = (await intake.post("/v1/dossiers", registration())).json()["code"]
    bodies = [
        {"type": "transferred", "from_unit": "STP.MC", "to_unit": "STP.HCTP"},
        {"type": "transferred", "from_unit": "STP.HCTP", "to_unit": "STP.BGD"},
        {"type": "processing_finished", "outcome": "approved", "unit_code": "STP.BGD"},
        {"type": "result_returned"},
        {"type": "satisfaction_rated", "score": 4},
    ]
    for body in bodies:
        response = await intake.post(f"/v1/dossiers/{code}/events", {**body, "occurred_at": at})
        assert response.status_code == 201

    def ours(records):
        return [r for r in records if r.key == code.encode()]

    records = await read_since(kafka_settings, start, lambda rs: len(ours(rs)) >= 6)
    envelopes = [decode(r.value) for r in ours(records)]
    assert len({r.partition for r in ours(records)}) == 1
    assert [e.event_type for e in envelopes] == [
        "dossier.received",
        "dossier.transferred",
        "dossier.transferred",
        "dossier.processing-finished",
        "dossier.result-returned",
        "dossier.satisfaction-rated",
    ]
    received = envelopes[0].data
    assert (received.procedure_code, received.procedure_revision) == ("2.001417", 1)
    assert received.applicant_kind == "citizen"
    assert b"an.nguyen@example.vn" not in b"".join(r.value for r in ours(records))
    assert all(e.agency_code == "STP" and e.producer == "intake" for e in envelopes)
    # The applicant is on the applicants' topic, keyed alike, in the same conversation.
    personal = await read_since(kafka_settings, personal_start, lambda rs: len(ours(rs)) >= 1)
    (recorded,) = [decode(r.value) for r in ours(personal)]
    assert recorded.event_type == "applicant.recorded"
    assert recorded.data.applicant.email == "an.nguyen@example.vn"
    assert recorded.correlation_id == envelopes[0].correlation_id
    # The relay deletes what Kafka acknowledged, in its own transaction, just after.
    await eventually(
        lambda: intake.scalar("SELECT count(*) FROM outbox"),
        until=lambda count: count == 0,
        what="an empty outbox",
    )


async def test_a_catalogue_edit_reaches_the_compacted_topic(intake, kafka_settings):
    start = await end_offsets(kafka_settings, TopicSpec(intake.topics.catalogue, 3))
    entry = (await intake.client.get("/v1/procedures/1.001193", headers=intake.headers())).json()
    body = {k: v for k, v in entry.items() if k not in {"code", "revision"}} | {
        "fee_vnd": 0,
        "name": "Khai sinh",
    }
    response = await intake.client.put(
        "/v1/procedures/1.001193",
        json=body,
        headers=intake.headers("test-admin-key-000000000000"),
    )
    assert response.status_code == 200

    def edited(records):
        return [
            r
            for r in records
            if r.key == b"1.001193" and decode(r.value).data.procedure.name == "Khai sinh"
        ]

    records = await read_since(kafka_settings, start, lambda rs: bool(edited(rs)))
    assert decode(edited(records)[0].value).data.revision == 2


@pytest.fixture
async def producer(kafka_settings):
    p = AIOKafkaProducer(**kafka_settings.client_options(), acks="all")
    await p.start()
    yield p
    await p.stop()


async def test_commands_from_kafka_are_applied_once_and_refusals_dead_lettered(
    start_intake, registration, kafka_settings, make_topic, producer, unique, clock
):
    topic = await make_topic("intake-commands", partitions=2)
    dlq_start = await end_offsets(kafka_settings, DLQ)
    register = {
        "command": "register_dossier",
        "agency_code": "STP",
        "idempotency_key": unique("cmd"),
        "body": registration(dossier_code="STP-KAFKA-1"),
    }
    event = {
        "command": "record_event",
        "agency_code": "STP",
        "idempotency_key": unique("cmd"),
        "dossier_code": "STP-KAFKA-1",
        "body": {
            "type": "transferred",
            "from_unit": "STP.MC",
            "to_unit": "STP.HCTP",
            "occurred_at": (clock.now() - timedelta(minutes=5)).isoformat(),
        },
    }
    bad_id = {
        **register,
        "idempotency_key": unique("cmd"),
        "body": registration(applicant={"name": "X", "national_id": "12"}),
    }
    too_early = {
        **event,
        "idempotency_key": unique("cmd"),
        "body": {"type": "result_returned", "occurred_at": clock.now().isoformat()},
    }
    other_agency = {**event, "idempotency_key": unique("cmd"), "agency_code": "SXD"}
    messages = [register, register, event, bad_id, b"not json", too_early, other_agency]
    for message in messages:
        value = message if isinstance(message, bytes) else orjson.dumps(message)
        await producer.send_and_wait(topic, value, key=b"STP-KAFKA-1")
    # Keyed by another dossier: it could overtake the dossier's earlier commands.
    mis_keyed = {**too_early, "idempotency_key": unique("cmd")}
    await producer.send_and_wait(topic, orjson.dumps(mis_keyed), key=b"STP-KAFKA-2")

    settings = {"commands": {"enabled": True, "topics": [topic], "group_id": unique("g")}}
    async with start_intake(**settings) as intake:
        letters = await read_since(
            kafka_settings,
            dlq_start,
            lambda rs: len([r for r in rs if _origin(r) == topic]) >= 5,
            patience=60,
        )
        status = await intake.scalar("SELECT status FROM dossiers WHERE code = 'STP-KAFKA-1'")
        dossiers = await intake.scalar("SELECT count(*) FROM dossiers")
        local = await intake.scalar("SELECT count(*) FROM dead_letters")

    assert (status, dossiers) == (4, 1)
    mine = [dict(r.headers) for r in letters if _origin(r) == topic]
    reasons = sorted(h["x-dlq-reason"].decode() for h in mine)
    assert reasons == [
        "forbidden",
        "invalid_command",
        "invalid_national_id",
        "key_mismatch",
        "transition_not_allowed",
    ]
    national = next(h for h in mine if h["x-dlq-reason"] == b"invalid_national_id")
    assert national["x-dlq-error"] == b"/body/applicant/national_id: invalid_national_id"
    assert local == 5


def _origin(record) -> str:
    return dict(record.headers or ()).get("x-dlq-original-topic", b"").decode()


async def test_a_command_retried_after_its_agency_merged_is_not_applied_again(
    start_intake, registration, make_topic, producer, unique, clock
):
    topic = await make_topic("intake-commands", partitions=1)
    code = "STP-KAFKA-M1"
    register = {
        "command": "register_dossier",
        "agency_code": "STP",
        "idempotency_key": unique("cmd"),
        "body": registration(dossier_code=code),
    }

    def transfer(to_unit: str, from_unit: str) -> dict:
        return {
            "command": "record_event",
            "agency_code": "STP",
            "idempotency_key": unique("cmd"),
            "dossier_code": code,
            "body": {
                "type": "transferred",
                "from_unit": from_unit,
                "to_unit": to_unit,
                "occurred_at": (clock.now() - timedelta(minutes=5)).isoformat(),
            },
        }

    to_hctp = transfer("STP.HCTP", "STP.MC")
    to_bgd = transfer("STP.BGD", "STP.HCTP")

    async def send(*commands: dict) -> None:
        for command in commands:
            await producer.send_and_wait(topic, orjson.dumps(command), key=code.encode())

    async def applied(intake, events: int) -> None:
        sql = f"SELECT count(*) FROM dossier_events WHERE dossier_code = '{code}'"
        for _ in range(600):
            if await intake.scalar(sql) >= events:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{code} never had {events} events")

    settings = {"commands": {"enabled": True, "topics": [topic], "group_id": unique("g")}}
    async with start_intake(**settings) as intake:
        await send(register, to_hctp)
        await applied(intake, 2)
        merge = await intake.post(
            "/v1/agencies/STP/merge", {"into": "SXD", "on": "2026-11-23"}, ADMIN_KEY
        )
        assert merge.status_code == 200, merge.text
        # The transfer sent again (a producer's retry), then the next one: the next one is
        # applied once the retry was read, and the retry itself changed nothing.
        await send(to_hctp, to_bgd)
        await applied(intake, 3)
        kinds = await intake.scalar(
            "SELECT string_agg(event_type, ',' ORDER BY id) FROM dossier_events "
            f"WHERE dossier_code = '{code}'"
        )
        refused = await intake.scalar("SELECT count(*) FROM dead_letters")
    assert refused == 0
    assert kinds.split(",") == ["dossier.received", "dossier.transferred", "dossier.transferred"]
