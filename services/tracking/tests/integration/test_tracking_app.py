"""The tracking app end to end: Kafka in, outbox and Kafka out, HTTP, timers, replay."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY
from sqlalchemy import text

from motcua.db import create_engine
from motcua.events import ProcedureUpdated, dead_letter_topic
from motcua.testing.catalogue import revisions_named, terms_named
from motcua_tracking.domain import vietnam_time_zone

pytestmark = pytest.mark.infra
VN = vietnam_time_zone()
OFFICIAL = {"Authorization": "Bearer official-test-token"}
ADMIN = {"Authorization": "Bearer admin-test-token"}


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def types_of(envelopes) -> list[str]:
    return [e.event_type.removeprefix("tracking.") for e in envelopes]


async def test_events_from_intake_become_deadlines_verdicts_and_look_ups(stack, intake, clock):
    settings = await stack.settings(await stack.new_database())
    code = intake.new_code()
    clock.set(at(3, 2, 16))
    async with stack.running(settings, clock) as app:
        await stack.publish(
            intake.received(code, at(3, 2, 9)),
            intake.applicant(code, at(3, 2, 9)),
            intake.transferred(code, at(3, 2, 11), "MC", "PCM"),
            intake.transferred(code, at(3, 2, 15), "PCM", "LD"),
            intake.finished(code, at(3, 2, 16)),
        )
        received = intake.received(code, at(3, 2, 9)).data
        renamed = ProcedureUpdated(
            procedure=terms_named(received).model_copy(
                update={"name": "Cấp giấy phép xây dựng (sửa đổi)"}
            ),
            competent_agency="SXD",
            revision=received.procedure_revision + 1,
        )
        await stack.publish(intake.wrap(code, renamed, at(3, 2, 9)), topic=stack.topics.catalogue)
        out = await stack.read(settings.topics.publish_to, expected=7)
        assert "dossier-verdict-given" in types_of(out)
        [verdict] = [e for e in out if e.event_type == "tracking.dossier-verdict-given"]
        assert (verdict.data.verdict, verdict.dossier_code) == ("early", code)

        await stack.applied(settings, 6)
        async with stack.client(app) as http:
            official = await http.get(f"/v1/dossiers/{code}", headers=OFFICIAL)
            assert official.status_code == 200
            body = official.json()
            assert body["status"]["code"] == 9
            assert [s["unit_code"] for s in body["steps"]] == ["MC", "PCM", "LD"]
            assert body["procedure"]["name"] == "Cấp giấy phép xây dựng (sửa đổi)"
            assert (await http.get(f"/v1/dossiers/{code}")).status_code == 401
            unknown_token = await http.get(
                f"/v1/dossiers/{code}", headers={"Authorization": "Bearer nope"}
            )
            assert unknown_token.status_code == 401
            assert unknown_token.headers["content-type"] == "application/problem+json"

            citizen = await http.get(f"/v1/lookup/{code}", params={"phone_last4": "5678"})
            assert citizen.status_code == 200 and citizen.json()["status"]["code"] == 9
            wrong = await http.get(f"/v1/lookup/{code}", params={"phone_last4": "0000"})
            unknown = await http.get(
                f"/v1/lookup/{intake.new_code()}", params={"phone_last4": "5678"}
            )
            assert wrong.status_code == unknown.status_code == 404
            assert {**wrong.json(), "instance": ""} == {**unknown.json(), "instance": ""}
            assert wrong.json()["code"] == "dossier_not_found"
            # Three free wrong answers from this client, a fourth that starts the wait:
            # then 429 with the seconds to wait, whatever it asks.
            for _ in range(2):
                again = await http.get(f"/v1/lookup/{code}", params={"phone_last4": "0000"})
                assert again.status_code == 404
            limited = await http.get(f"/v1/lookup/{code}", params={"phone_last4": "5678"})
            assert limited.status_code == 429
            assert limited.headers["retry-after"] == "2"
            assert limited.headers["content-type"] == "application/problem+json"
            assert limited.json()["code"] == "too_many_attempts"
            metrics = (await http.get("/metrics")).text
            assert 'motcua_tracking_events_applied_total{event_type="dossier.received"}' in metrics
            assert "motcua_tracking_timers_pending" in metrics


async def test_the_look_up_follows_the_applicants_topic_until_the_erasure(stack, intake, clock):
    """The applicant record may come before the reception; once erased, the look-up
    answers as for a wrong phone."""
    settings = await stack.settings(await stack.new_database())
    code = intake.new_code()
    clock.set(at(3, 2, 10))
    async with stack.running(settings, clock) as app, stack.client(app) as http:
        await stack.publish(intake.applicant(code, at(3, 2, 9)))
        await stack.applied(settings, 1)
        await stack.publish(intake.received(code, at(3, 2, 9)))
        await stack.applied(settings, 2)
        lookup = f"/v1/lookup/{code}"
        assert (await http.get(lookup, params={"phone_last4": "5678"})).status_code == 200

        await stack.publish(intake.erased(code, at(3, 20, 9)))
        await stack.applied(settings, 3)
        erased = await http.get(lookup, params={"phone_last4": "5678"})
        wrong = await http.get(lookup, params={"phone_last4": "0000"})
        assert erased.status_code == wrong.status_code == 404
        assert {**erased.json(), "instance": ""} == {**wrong.json(), "instance": ""}
        metrics = (await http.get("/metrics")).text
    assert 'motcua_tracking_events_applied_total{event_type="applicant.erased"}' in metrics


async def test_timers_fire_once_after_a_restart_with_two_instances(stack, intake, clock):
    settings = await stack.settings(await stack.new_database())
    code = intake.new_code()
    clock.set(at(3, 2, 10, 30))
    async with stack.running(settings, clock):
        await stack.publish(
            intake.received(code, at(3, 2, 9)),
            intake.transferred(code, at(3, 2, 10), "MC", "PCM"),
        )
        await stack.applied(settings, 2)
    # Down over the weekend and past the appointment; then two instances come up.
    clock.set(at(3, 9, 10))
    async with stack.running(settings, clock), stack.running(settings, clock):
        await stack.read(settings.topics.publish_to, 0, until="tracking.escalated")
        await asyncio.sleep(1.0)  # both timer loops keep polling: nothing fires twice
        pending = await stack.count(
            settings, "SELECT count(*) FROM timers WHERE fired_at IS NULL", at_least=0
        )
    out = await stack.read(settings.topics.publish_to, expected=100, within=4)
    alerts = [
        (e.event_type, e.data.scope if hasattr(e.data, "scope") else "")
        for e in out
        if e.event_type != "tracking.deadline-set" and e.event_type != "tracking.step-verdict-given"
    ]
    assert sorted(alerts) == sorted(
        [
            ("tracking.deadline-changed", "step"),  # XL re-planned at the handover
            ("tracking.due-soon", "step"),  # XL
            ("tracking.overdue", "step"),  # XL
            ("tracking.due-soon", "dossier"),
            ("tracking.apology-required", ""),
            ("tracking.overdue", "dossier"),
            ("tracking.escalated", ""),
        ]
    )
    assert pending == 0


async def test_an_alert_proven_wrong_by_a_late_upload_is_withdrawn(stack, intake, clock):
    settings = await stack.settings(await stack.new_database())
    code = intake.new_code()
    clock.set(at(3, 2, 9, 30))
    async with stack.running(settings, clock) as app:
        await stack.publish(intake.received(code, at(3, 2, 9)))
        await stack.applied(settings, 1)
        clock.set(at(3, 2, 14, 32))  # the TN step was due at 14:30, a minute of grace ago
        await stack.read(settings.topics.publish_to, 0, until="tracking.overdue")
        clock.set(at(3, 2, 14, 40))
        handover = intake.transferred(code, at(3, 2, 14, 20), "MC", "PCM")  # uploaded late
        await stack.publish(handover)
        out = await stack.read(settings.topics.publish_to, expected=6)
        async with stack.client(app) as http:
            metrics = (await http.get("/metrics")).text
    [alert] = [e for e in out if e.event_type == "tracking.overdue"]
    [withdrawn] = [e for e in out if e.event_type == "tracking.alert-withdrawn"]
    assert (alert.data.scope, alert.occurred_at) == ("step", at(3, 2, 14, 30))
    assert withdrawn.data.alert_event_id == str(alert.event_id)
    assert withdrawn.data.proven_by_event_id == str(handover.event_id)
    assert (withdrawn.data.reason, withdrawn.dossier_code) == ("ended_before_due", code)
    assert [e.event_type for e in out].index("tracking.alert-withdrawn") > out.index(alert)
    assert 'motcua_tracking_alerts_fired_total{kind="overdue",scope="step"}' in metrics
    assert 'motcua_tracking_alerts_withdrawn_total{kind="overdue",scope="step"}' in metrics


async def test_a_bad_event_is_dead_lettered_and_the_partition_moves_on(stack, intake, clock):
    settings = await stack.settings(await stack.new_database())
    unknown, known = intake.new_code(), intake.new_code()
    async with stack.running(settings, clock):
        await stack.publish(
            intake.transferred(unknown, at(3, 2, 11), "MC", "PCM"),
            intake.received(known, at(3, 2, 9)),
        )
        letters = await stack.count(settings, "SELECT count(*) FROM dead_letters")
        await stack.count(settings, "SELECT count(*) FROM dossiers")
    assert letters == 1
    engine = create_engine(settings.database)
    async with engine.connect() as conn:
        reason = (await conn.execute(text("SELECT reason FROM dead_letters"))).scalar()
        tracked = (await conn.execute(text("SELECT code FROM dossiers"))).scalars().all()
    await engine.dispose()
    assert reason == "unknown_dossier" and tracked == [known]
    dlq = AIOKafkaConsumer(
        dead_letter_topic(settings.service_name).name,
        **stack.kafka.client_options(),
        auto_offset_reset="earliest",
    )
    await dlq.start()
    try:
        records = [r for batch in (await dlq.getmany(timeout_ms=3000)).values() for r in batch]
    finally:
        await dlq.stop()
    assert [dict(r.headers)["x-dlq-reason"] for r in records] == [b"unknown_dossier"]


async def test_a_reception_read_before_its_procedure_revision_waits_for_it(stack, intake, clock):
    """The catalogue and the dossier log are read by separate consumers: a reception whose
    revision has not been read yet is read again until it has, never dead-lettered."""
    settings = await stack.settings(await stack.new_database())
    code = intake.new_code()
    received = intake.received(code, at(3, 2, 9))
    waits = ("motcua_consumer_waits_total", {"app": settings.service_name})
    async with stack.running(settings, clock):
        await stack.publish(received, revisions=False)
        for _ in range(400):
            if REGISTRY.get_sample_value(*waits):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # more passes over the waiting batch
        assert REGISTRY.get_sample_value(*waits), "the reception was never read"
        dossiers = "SELECT count(*) FROM dossiers"
        assert await stack.count(settings, dossiers, at_least=0) == 0
        await stack.publish(*revisions_named([received]), topic=stack.topics.catalogue)
        await stack.applied(settings, 1)
        assert await stack.count(settings, dossiers) == 1
        letters = "SELECT count(*) FROM dead_letters"
        assert await stack.count(settings, letters, at_least=0) == 0
    out = await stack.read(settings.topics.publish_to, expected=1)
    [deadline] = [e for e in out if e.event_type == "tracking.deadline-set"]
    assert deadline.data.procedure_name == terms_named(received.data).name


async def test_loading_a_decision_over_http_moves_open_deadlines(stack, intake, clock):
    settings = await stack.settings(await stack.new_database())
    code = intake.new_code()
    clock.set(at(3, 2, 10))
    decision = {
        "year": 2026,
        "source": "test decision",
        "days_off": [
            {"from": "2026-01-01", "to": "2026-01-04", "reason": "Tết Dương lịch"},
            {"from": "2026-02-14", "to": "2026-02-22", "reason": "Tết Nguyên Đán"},
            {"date": "2026-03-05", "reason": "ngày nghỉ thử nghiệm"},
        ],
        "make_up_working_days": [],
    }
    async with stack.running(settings, clock) as app:
        await stack.publish(intake.received(code, at(3, 2, 9)))
        await stack.applied(settings, 1)
        async with stack.client(app) as http:
            url = "/v1/calendar/decisions/2026"
            assert (await http.put(url, json=decision)).status_code == 401
            assert (await http.put(url, json=decision, headers=OFFICIAL)).status_code == 403
            invalid = await http.put(url, json={**decision, "year": "x"}, headers=ADMIN)
            assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_decision"
            mismatch = await http.put("/v1/calendar/decisions/2027", json=decision, headers=ADMIN)
            assert mismatch.json()["code"] == "year_mismatch"
            loaded = await http.put(url, json=decision, headers=ADMIN)
            assert loaded.status_code == 200, loaded.text
            assert loaded.json()["dossiers_recomputed"] == 1
            listed = (await http.get("/v1/calendar/decisions", headers=OFFICIAL)).json()
            # Every year shipped as data (2015-2025), and 2026 loaded over 2026's shipped one.
            assert {(d["year"], d["origin"]) for d in listed} == {
                *((year, "shipped") for year in range(2015, 2026)),
                (2026, "loaded"),
            }
            view = (await http.get(f"/v1/dossiers/{code}", headers=OFFICIAL)).json()
        out = await stack.read(settings.topics.publish_to, expected=2)
    changed = [e for e in out if e.event_type == "tracking.deadline-changed"]
    assert [(c.data.cause, c.data.old_due_at, c.data.new_due_at) for c in changed] == [
        ("calendar_changed", at(3, 9, 9), at(3, 10, 9))
    ]
    assert datetime.fromisoformat(view["due_at"]) == at(3, 10, 9)

    # The decision survives a restart of the service.
    async with stack.running(settings, clock) as app, stack.client(app) as http:
        listed = (await http.get("/v1/calendar/decisions", headers=OFFICIAL)).json()
        assert json.dumps(listed).count('"loaded"') == 1


async def test_replaying_the_dossier_topic_rebuilds_the_same_state(stack, intake, clock):
    first = await stack.settings(await stack.new_database())
    late, paused, apologised = intake.new_code(), intake.new_code(), intake.new_code()
    script = [
        (at(3, 2, 9), [intake.received(c, at(3, 2, 9)) for c in (late, paused, apologised)]),
        (
            at(3, 2, 11),
            [intake.transferred(c, at(3, 2, 11), "MC", "PCM") for c in (late, paused, apologised)],
        ),
        (at(3, 3, 9), [intake.supplement_requested(paused, at(3, 3, 9))]),
        (at(3, 4, 9), [intake.supplement_received(paused, at(3, 4, 9))]),
        (at(3, 6, 9), [intake.apology(apologised, at(3, 6, 9), new_due=at(3, 13, 17))]),
        (at(3, 9, 15), [intake.transferred(paused, at(3, 9, 15), "PCM", "LD")]),
        (at(3, 10, 9), [intake.finished(paused, at(3, 10, 9))]),
        (at(3, 12, 9), [intake.finished(late, at(3, 12, 9))]),
    ]
    sent = 0
    async with stack.running(first, clock):
        for moment, envelopes in script:
            clock.set(moment)
            await asyncio.sleep(0.3)  # the timer loop catches up with the clock
            await stack.publish(*envelopes)
            sent += len(envelopes)
            await stack.applied(first, sent)
        clock.set(at(3, 16, 9))
        await asyncio.sleep(0.5)
        # Every event tracking published has left its outbox (1 once it is empty).
        empty = "SELECT (NOT EXISTS (SELECT FROM outbox))::int"
        assert await stack.count(first, empty) == 1

    second = await stack.settings(await stack.new_database())  # a new database, a new group
    async with stack.running(second, clock):
        await stack.applied(second, sent)
        await asyncio.sleep(0.5)

    assert await state(second) == await state(first)
    original = await stack.read(first.topics.publish_to, expected=10_000, within=3)
    replayed = await stack.read(second.topics.publish_to, expected=10_000, within=3)
    assert len(original) > 30
    assert by_dossier(replayed) == by_dossier(original)


async def state(settings) -> tuple:
    engine = create_engine(settings.database)
    async with engine.connect() as conn:
        dossiers = (
            await conn.execute(
                text(
                    "SELECT code, status, is_open, due_at, horizon_at, document"
                    " FROM dossiers ORDER BY code"
                )
            )
        ).all()
        timers = (
            await conn.execute(
                text(
                    "SELECT dossier_code, scope, kind, step_seq, share_percent, due_at, fire_at,"
                    " fired_at IS NOT NULL FROM timers"
                    " ORDER BY dossier_code, fire_at, scope, kind, due_at"
                )
            )
        ).all()
    await engine.dispose()
    return [tuple(r) for r in dossiers], [tuple(r) for r in timers]


def by_dossier(envelopes) -> dict[str, list]:
    """What each dossier's events say, but for an alert's `ended_at`: that says what tracking
    knew when the alert fired, and a replay knows every event already (live, the timer
    loop fired the alert on open work; replayed, the events fire it on their way)."""
    found: dict[str, list] = {}
    for e in envelopes:
        data = e.data.model_dump(mode="json", exclude={"ended_at"})
        found.setdefault(e.dossier_code, []).append((e.event_type, e.occurred_at, data))
    return found
