"""A scripted stream on the real broker and database gives exactly the known numbers,
whatever is redelivered, and a replay from offset 0 gives them again."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import scoring_province as province
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from motcua.events import decode
from motcua.testing import create_database, drop_database
from motcua.testing.catalogue import procedures_named
from motcua.testing.database import absorbed_at
from motcua_scoring.domain import DossierFacts, apply_all, count
from motcua_scoring.service.figures import figures_json
from motcua_scoring.service.translation import translate

pytestmark = pytest.mark.infra


def reference_facts(envelopes) -> list[DossierFacts]:
    updates: dict[str, list] = {}
    for envelope in envelopes:
        translated = translate(envelope, procedures_named([envelope]))
        if translated is not None:
            updates.setdefault(translated.code, []).extend(translated.updates)
    return [apply_all(DossierFacts(code), items) for code, items in updates.items()]


async def absorbed(settings, expected: int) -> bool:
    return await absorbed_at(settings.database.url) >= expected


async def snapshot(service) -> dict:
    """Figures of every scope × period of the scripted province, keyed by (scope, period)."""
    params = [("scope", s.key) for s in province.SCOPES]
    params += [("period", p.key) for p in province.PERIODS]
    async with service.client() as client:
        response = await client.get("/v1/indicators", params=params)
    response.raise_for_status()
    body = response.json()
    return {
        "now": body["now"],
        "items": {(i["scope"], i["period"]): i["figures"] for i in body["items"]},
    }


async def run_province(scoring_settings, start_scoring, script, publish, wait_until):
    settings = await scoring_settings()
    service = await start_scoring(settings)
    province.write(script)
    await script.publish(publish)
    total = len(script.envelopes)
    await wait_until(lambda: absorbed(settings, total), what="every event absorbed")
    return settings, service


async def test_the_scripted_province_gives_the_known_numbers(
    scoring_settings, start_scoring, script, publish, wait_until
):
    _, service = await run_province(scoring_settings, start_scoring, script, publish, wait_until)
    numbers = (await snapshot(service))["items"]

    november = numbers[("agency:STP", "2026-11")]
    assert {k: november[k] for k in ("received", "carried_over", "refused", "withdrawn")} == {
        "received": 4,
        "carried_over": 2,
        "refused": 1,
        "withdrawn": 1,
    }
    assert (november["resolved_early"], november["resolved_on_time"]) == (1, 1)
    assert (november["resolved_late"], november["finished"], november["e_results"]) == (1, 3, 1)
    assert (november["in_progress_within"], november["in_progress_overdue"]) == (1, 1)
    assert (november["apologies"], november["late_apologies"]) == (1, 1)
    assert november["processing_millidays"] == 20_500
    assert november["on_time_rate"] == pytest.approx(2 / 3, abs=1e-6)
    assert november["progress_rate"] == pytest.approx(3 / 5)
    assert november["score_766_progress"] == 12
    assert november["score_766_points"] == pytest.approx(12 + 5 + 3 + 4.5 + 40 / 9 + 12)
    assert november["p90_processing_days"] == 15

    # D1 was received at 23:59 on 31 October and resolved early on 3 November.
    october = numbers[("agency:STP", "2026-10")]
    assert (october["received"], october["resolved_late"], october["carried_over"]) == (2, 1, 1)
    assert (october["in_progress_within"], october["in_progress_overdue"]) == (1, 1)
    assert numbers[("agency:STP", "2026-10-31")]["received"] == 1
    first = numbers[("agency:STP", "2026-11-01")]
    assert (first["received"], first["carried_over"], first["in_progress"]) == (0, 2, 2)
    q3, q4 = numbers[("agency:STP", "2026-Q3")], numbers[("agency:STP", "2026-Q4")]
    assert (q3["received"], q3["resolved"], q3["in_progress_within"]) == (1, 0, 1)
    assert (q4["received"], q4["carried_over"], q4["resolved_late"]) == (6, 1, 2)
    assert numbers[("agency:STP", "2026")]["received"] == 7
    assert numbers[("agency:STP", "2026-11-01..2026-11-21")] == november
    assert numbers[("unit:B", "2026-11")]["received"] == 1  # D5 moved to B by its transfer
    assert numbers[("unit:A", "2026-11")]["received"] == 3
    everyone = numbers[("province:all", "2026-11")]
    assert (everyone["received"], everyone["resolved_on_time"], everyone["complaints"]) == (5, 2, 1)

    # Every figure of every scope and period equals the reference count on the facts.
    now = datetime.fromisoformat((await snapshot(service))["now"])
    facts = reference_facts(script.envelopes)
    for scope in province.SCOPES:
        for period in province.PERIODS:
            expected = figures_json(count(facts, scope, period, now))
            assert numbers[(scope.key, period.key)] == expected, (scope.key, period.key)


async def test_redelivered_events_change_nothing_and_a_replay_gives_the_same_numbers(
    scoring_settings, start_scoring, script, publish, wait_until, database_base_url
):
    settings, service = await run_province(
        scoring_settings, start_scoring, script, publish, wait_until
    )
    before = (await snapshot(service))["items"]

    await script.publish(publish)  # every event a second time, with the same ids
    total = len(script.envelopes)
    await wait_until(lambda: consumed_everything(settings, 2 * total), what="duplicates read")
    assert (await snapshot(service))["items"] == before
    assert await absorbed_at(settings.database.url) == total

    # A rebuild: a new, empty database and a new consumer group read both topics from 0.
    name = f"t_{uuid.uuid4().hex[:16]}"
    replay_url = await create_database(database_base_url, name)
    try:
        replay_settings = await scoring_settings(database_url=replay_url)
        replayed = await start_scoring(replay_settings)
        await wait_until(lambda: absorbed(replay_settings, total), what="replay absorbed")
        assert (await snapshot(replayed))["items"] == before
        await replayed.stop()
    finally:
        await drop_database(database_base_url, name)


async def consumed_everything(settings, total: int) -> bool:
    """Whether the consumer group has committed offsets past every published record."""
    admin = AIOKafkaAdminClient(**settings.kafka.client_options())
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.service_name)
        committed = sum(
            meta.offset
            for tp, meta in offsets.items()
            if tp.topic in (settings.topics.dossier_events, settings.topics.tracking_events)
        )
        return committed >= total
    finally:
        await admin.close()


async def test_the_compacted_feed_carries_the_latest_figures_per_key(
    scoring_settings, start_scoring, script, publish, scoring_db, wait_until
):
    settings, service = await run_province(
        scoring_settings, start_scoring, script, publish, wait_until
    )
    numbers = (await snapshot(service))["items"]

    async def relayed() -> bool:
        rows = await scoring_db(
            settings.database.url,
            "SELECT (SELECT count(*) FROM dirty_keys) + (SELECT count(*) FROM outbox)",
        )
        return rows[0][0] == 0

    await wait_until(relayed, what="feed published")
    consumer = AIOKafkaConsumer(
        settings.topics.indicators,
        **settings.kafka.client_options(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    latest: dict[str, dict] = {}
    revisions: dict[str, list[int]] = {}
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=1500)
            if not batch:
                break
            for records in batch.values():
                for record in records:
                    envelope = decode(record.value)
                    key = record.key.decode()
                    assert key == f"{envelope.data.scope}|{envelope.data.period}"
                    latest[key] = envelope.data.values
                    revisions.setdefault(key, []).append(envelope.data.revision)
    finally:
        await consumer.stop()

    for scope, period in [("agency:STP", "2026-11"), ("province:all", "2026-Q4")]:
        feed = dict(latest[f"{scope}|{period}"])
        assert feed == numbers[(scope, period)]
    assert all(r == sorted(set(r)) for r in revisions.values())  # one per key per batch
    assert latest["unit:B|2026-11-16"]["received"] == 1  # D5, moved to B by its transfer


async def test_rankings_of_agencies_and_units(
    scoring_settings, start_scoring, script, publish, wait_until
):
    _, service = await run_province(scoring_settings, start_scoring, script, publish, wait_until)
    async with service.client() as client:
        on_time = (await client.get("/v1/rankings", params={"period": "2026-11"})).json()
        late = (
            await client.get(
                "/v1/rankings", params={"period": "2026-11", "indicator": "resolved_late"}
            )
        ).json()
        units = (
            await client.get(
                "/v1/rankings",
                params={"period": "2026-11", "kind": "unit", "indicator": "received"},
            )
        ).json()
        bad = await client.get("/v1/rankings", params={"indicator": "nonsense"})

    assert [(i["code"], i["rank"], i["value"]) for i in on_time["items"]] == [
        ("SXD", 1, 1),
        ("STP", 2, pytest.approx(2 / 3, abs=1e-6)),
    ]
    assert late["higher_is_better"] is False
    assert [(i["code"], i["rank"]) for i in late["items"]] == [("SXD", 1), ("STP", 2)]
    assert [(i["code"], i["rank"], i["value"]) for i in units["items"]] == [
        ("A", 1, 3),
        ("B", 2, 1),
        ("SXD-1", 2, 1),
    ]
    assert bad.status_code == 422


async def test_open_dossiers_and_business_gauges(
    scoring_settings, start_scoring, script, publish, wait_until
):
    _, service = await run_province(scoring_settings, start_scoring, script, publish, wait_until)
    async with service.client() as client:
        stp = (await client.get("/v1/open-dossiers", params={"scope": "agency:STP"})).json()
        unit_b = (await client.get("/v1/open-dossiers", params={"scope": "unit:B"})).json()

        async def gauges_ready() -> bool:
            # Open dossiers follow intake's events and overdue ones tracking's verdicts,
            # which reach scoring on another topic: wait for both.
            text = (await client.get("/metrics")).text
            return (
                'motcua_scoring_open_dossiers{agency="STP"} 2.0' in text
                and 'motcua_scoring_overdue_dossiers{agency="STP"} 1.0' in text
            )

        await wait_until(gauges_ready, what="gauges refreshed")
        metrics = (await client.get("/metrics")).text

    assert [(i["code"], i["state"]) for i in stp["items"]] == [
        (province.code(4), "overdue"),
        (province.code(5), "within_deadline"),
    ]
    assert "applicant" not in str(stp) and "Nguyễn" not in str(stp)
    assert [i["code"] for i in unit_b["items"]] == [province.code(5)]
    assert 'motcua_scoring_overdue_dossiers{agency="STP"} 1.0' in metrics
    assert 'motcua_scoring_on_time_ratio{agency="SXD"} 1.0' in metrics
    assert "STP-2611" not in metrics.replace("motcua_scoring", "")
