"""Events scoring cannot fully place are counted where they can be and reported; they
never stop the consumer."""

from __future__ import annotations

import pytest
import scoring_province as province
from aiokafka import AIOKafkaProducer

from motcua.events import Verdict
from motcua.testing.database import absorbed_at

pytestmark = pytest.mark.infra


async def test_odd_events_are_counted_where_they_can_be_and_reported(
    scoring_settings, start_scoring, script, publish, scoring_db, wait_until, kafka_settings
):
    settings = await scoring_settings()
    service = await start_scoring(settings)
    stray, known = "STP-261120-0777", province.code(1)
    script.verdict(stray, province.local(11, 20, 18), Verdict.LATE, 2)  # never received
    script.received(known, province.local(11, 20))
    script.received(known, province.local(11, 20, 11), agency="SXD")  # contradicts
    await script.publish(publish)
    producer = AIOKafkaProducer(**kafka_settings.client_options())
    await producer.start()
    await producer.send_and_wait(script.topics.dossier_events, b'{"event_type": "?"}', key=b"x")
    await producer.stop()
    script.intake.clear()
    script.tracking.clear()
    script.received(province.code(2), province.local(11, 20, 12))
    await script.publish(publish)

    async def absorbed() -> bool:
        return await absorbed_at(settings.database.url) >= 4

    await wait_until(absorbed, what="all valid events absorbed")
    async with service.client() as client:
        stp = (
            await client.get(
                "/v1/indicators", params={"scope": "agency:STP", "period": "2026-11-20"}
            )
        ).json()["items"][0]["figures"]
        sxd = (
            await client.get(
                "/v1/indicators", params={"scope": "agency:SXD", "period": "2026-11-20"}
            )
        ).json()["items"][0]["figures"]
        metrics = (await client.get("/metrics")).text

    assert (stp["received"], sxd["received"]) == (2, 0)  # the earliest reception stands
    assert stp["resolved_late"] == 0  # a verdict counts once its dossier is known
    assert 'motcua_scoring_anomalies_total{reason="unknown_dossier"}' in metrics
    assert 'motcua_scoring_anomalies_total{reason="conflicting_reception"}' in metrics
    letters = await scoring_db(settings.database.url, "SELECT reason FROM dead_letters")
    assert letters == [("invalid_event",)]
