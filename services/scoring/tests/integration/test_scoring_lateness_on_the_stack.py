"""Truthful lateness on the real broker and database: a paused clock, the statutory
appointment against an apology's promise, late with and without an apology,
re-appointments kept and broken, verdict corrections, withdrawn alerts; and the overdue
count, the open-dossier list and the per-agency table agreeing."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.clock import ManualClock
from motcua.db import create_engine
from motcua.events import ApologyStanding, Verdict
from motcua.testing.database import absorbed_at
from motcua_scoring.domain import LOCAL_TZ
from motcua_scoring.service import DayTurn

pytestmark = pytest.mark.infra


def local(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def code(n: int) -> str:
    return f"STP-261110-{n:04d}"


async def start(scoring_settings, start_scoring):
    settings = await scoring_settings()
    return settings, await start_scoring(settings)


async def absorb(publish, wait_until, settings, script, *envelopes) -> None:
    """Publish envelopes where intake and tracking do and wait until all are absorbed."""
    before = await absorbed_at(settings.database.url)
    for envelope in envelopes:
        topic = script.topics.tracking_events
        if envelope.producer == "intake":
            topic = script.topics.dossier_events
        await publish(topic, envelope)

    async def done() -> bool:
        return await absorbed_at(settings.database.url) >= before + len(envelopes)

    await wait_until(done, what="events absorbed")


async def figures(service, scope: str = "agency:STP", period: str = "2026-11") -> dict:
    async with service.client() as client:
        response = await client.get("/v1/indicators", params={"scope": scope, "period": period})
    response.raise_for_status()
    return response.json()["items"][0]["figures"]


async def open_list(service, scope: str = "agency:STP") -> dict[str, dict]:
    async with service.client() as client:
        response = await client.get("/v1/open-dossiers", params={"scope": scope})
    response.raise_for_status()
    return {item["code"]: item for item in response.json()["items"]}


async def test_a_paused_open_dossier_is_within_deadline(
    scoring_settings, start_scoring, script, publish, wait_until
):
    settings, service = await start(scoring_settings, start_scoring)
    paused, resumed = code(1), code(2)
    envelopes = [
        script.received(paused, local(11, 10)),
        script.deadline(paused, local(11, 10), local(11, 13, 17)),
        script.supplement(paused, local(11, 12)),
        script.deadline_changed(
            paused, local(11, 12), local(11, 13, 17), None, "supplement_paused"
        ),
        script.received(resumed, local(11, 10)),
        script.deadline(resumed, local(11, 10), local(11, 13, 17)),
        script.deadline_changed(
            resumed, local(11, 12), local(11, 13, 17), None, "supplement_paused"
        ),
        script.deadline_changed(
            resumed, local(11, 16), None, local(11, 19, 17), "supplement_resumed"
        ),
    ]
    await absorb(publish, wait_until, settings, script, *envelopes)

    november = await figures(service)
    listed = await open_list(service)

    assert (november["in_progress_within"], november["in_progress_overdue"]) == (1, 1)
    assert paused not in listed  # no due time while paused
    assert listed[resumed]["state"] == "overdue"
    assert datetime.fromisoformat(listed[resumed]["due_at"]) == local(11, 19, 17)


async def test_a_late_dossier_with_an_apology_is_late_and_its_promise_counted(
    scoring_settings, start_scoring, script, publish, wait_until
):
    settings, service = await start(scoring_settings, start_scoring)
    kept, broken, open_one = code(1), code(2), code(3)
    envelopes = []
    for n in (kept, broken, open_one):
        envelopes += [
            script.received(n, local(11, 10)),
            script.deadline(n, local(11, 10), local(11, 12, 17)),
            script.apology(n, local(11, 11), local(11, 12, 17), local(11, 24, 17), late=False),
            script.deadline_changed(
                n, local(11, 11), local(11, 12, 17), local(11, 24, 17), "apology"
            ),
        ]
    envelopes += [
        script.finished(kept, local(11, 16)),
        script.verdict(
            kept,
            local(11, 16, 18),
            Verdict.LATE,
            6,
            apology=ApologyStanding.IN_TIME,
            reappointed_to=local(11, 24, 17),
            reappointment_kept=True,
        ),
        script.finished(broken, local(11, 20)),
        script.verdict(
            broken,
            local(11, 20, 18),
            Verdict.LATE,
            8,
            apology=ApologyStanding.IN_TIME,
            reappointed_to=local(11, 18, 17),
            reappointment_kept=False,
        ),
    ]
    await absorb(publish, wait_until, settings, script, *envelopes)

    november = await figures(service)
    listed = await open_list(service)

    assert (november["resolved_late"], november["resolved_on_time"]) == (2, 0)
    assert november["resolved_late_with_apology"] == 2
    assert november["resolved_late_without_apology"] == 0
    assert (november["reappointments_kept"], november["reappointments_broken"]) == (1, 1)
    assert november["reappointment_kept_rate"] == pytest.approx(0.5)
    # The open one is judged by its statutory appointment (12 Nov), not the promise.
    assert november["in_progress_overdue"] == 1
    assert listed[open_one]["state"] == "overdue"
    assert datetime.fromisoformat(listed[open_one]["due_at"]) == local(11, 12, 17)


async def test_a_late_dossier_without_an_apology_is_counted_apart(
    scoring_settings, start_scoring, script, publish, wait_until
):
    settings, service = await start(scoring_settings, start_scoring)
    n = code(1)
    envelopes = [
        script.received(n, local(11, 10)),
        script.deadline(n, local(11, 10), local(11, 12, 17)),
        script.finished(n, local(11, 16)),
        script.verdict(n, local(11, 16, 18), Verdict.LATE, 6, apology=ApologyStanding.MISSING),
    ]
    await absorb(publish, wait_until, settings, script, *envelopes)

    november = await figures(service)
    assert (november["resolved_late_with_apology"], november["resolved_late_without_apology"]) == (
        0,
        1,
    )
    assert november["late_with_apology_rate"] == 0


async def test_a_verdict_correction_with_a_higher_revision_replaces_the_first(
    scoring_settings, start_scoring, script, publish, wait_until
):
    settings, service = await start(scoring_settings, start_scoring)
    first_then_fix, fix_then_first = code(1), code(2)
    for n in (first_then_fix, fix_then_first):
        await absorb(
            publish,
            wait_until,
            settings,
            script,
            script.received(n, local(11, 10)),
            script.finished(n, local(11, 13)),
        )
    wrong = script.verdict(
        first_then_fix, local(11, 13, 18), Verdict.LATE, 3, apology=ApologyStanding.MISSING
    )
    await absorb(publish, wait_until, settings, script, wrong)
    assert (await figures(service))["resolved_late_without_apology"] == 1

    fix = script.verdict(first_then_fix, local(11, 13, 12), Verdict.ON_TIME, 2.5, revision=1)
    early_fix = script.verdict(fix_then_first, local(11, 13, 12), Verdict.ON_TIME, 2.5, revision=1)
    late_wrong = script.verdict(
        fix_then_first, local(11, 13, 18), Verdict.LATE, 3, apology=ApologyStanding.MISSING
    )
    await absorb(publish, wait_until, settings, script, fix, early_fix, late_wrong)

    november = await figures(service)
    assert (november["resolved_on_time"], november["resolved_late"]) == (2, 0)
    assert november["resolved_late_without_apology"] == 0
    assert november["processing_millidays"] == 5000


async def test_an_alert_withdrawn_clears_the_overdue_flag_and_is_counted(
    scoring_settings, start_scoring, script, publish, wait_until
):
    settings, service = await start(scoring_settings, start_scoring)
    n = code(1)
    due = local(11, 21, 8)  # today, 08:00; the service's clock says 10:00
    alert = script.overdue_alert(n, due, due)
    await absorb(
        publish,
        wait_until,
        settings,
        script,
        script.received(n, local(11, 18)),
        script.deadline(n, local(11, 18), due),
        alert,
    )
    flagged = (await open_list(service))[n]
    assert (flagged["state"], flagged["alerts"]) == ("due_soon", ["overdue"])

    withdrawn = script.alert_withdrawn(n, local(11, 21, 8, 30), alert)
    await absorb(publish, wait_until, settings, script, withdrawn)

    cleared = (await open_list(service))[n]
    november = await figures(service)
    assert cleared["alerts"] == []
    assert (november["overdue_alerts"], november["overdue_alerts_withdrawn"]) == (1, 1)
    # Due today: within deadline in the count as in the list (finishing today is on time).
    assert (november["in_progress_overdue"], november["in_progress_within"]) == (0, 1)


async def test_the_overdue_count_the_list_and_the_agency_table_agree(
    scoring_settings, start_scoring, script, publish, wait_until
):
    settings, service = await start(scoring_settings, start_scoring)
    d1, d2, d3, d4, d5 = (code(n) for n in range(1, 6))
    envelopes = [
        script.received(d1, local(11, 17)),
        script.deadline(d1, local(11, 17), local(11, 20, 17)),  # due yesterday: overdue
        script.received(d2, local(11, 18)),
        script.deadline(d2, local(11, 18), local(11, 21, 8)),  # due 08:00 today: not yet
        script.overdue_alert(d2, local(11, 21, 8), local(11, 21, 8)),
        script.received(d3, local(11, 17)),
        script.deadline(d3, local(11, 17), local(11, 19, 17)),
        script.deadline_changed(d3, local(11, 18), local(11, 19, 17), None, "supplement_paused"),
        script.received(d4, local(11, 10)),
        script.deadline(d4, local(11, 10), local(11, 12, 17)),
        script.apology(d4, local(11, 11), local(11, 12, 17), local(11, 25, 17), late=False),
        script.received(d5, local(11, 19)),
        script.deadline(d5, local(11, 19), local(11, 26, 17)),
    ]
    await absorb(publish, wait_until, settings, script, *envelopes)

    tile = (await figures(service))["in_progress_overdue"]
    listed = await open_list(service)
    async with service.client() as client:
        table = (await client.get("/v1/rankings", params={"period": "month"})).json()

        async def gauge_says_two() -> bool:
            text = (await client.get("/metrics")).text
            return 'motcua_scoring_overdue_dossiers{agency="STP"} 2.0' in text

        await wait_until(gauge_says_two, what="overdue gauge")

    overdue_listed = sorted(c for c, item in listed.items() if item["state"] == "overdue")
    assert overdue_listed == [d1, d4]
    assert tile == len(overdue_listed) == 2
    (stp,) = [item for item in table["items"] if item["code"] == "STP"]
    assert stp["figures"]["in_progress_overdue"] == tile
    assert listed[d2]["state"] == "due_soon"


async def test_a_new_day_marks_the_figures_of_dossiers_turning_overdue(
    scoring_settings, start_scoring, script, publish, wait_until
):
    settings, _ = await start(scoring_settings, start_scoring)
    n = code(1)
    await absorb(
        publish,
        wait_until,
        settings,
        script,
        script.received(n, local(11, 18), agency="STP"),
        script.deadline(n, local(11, 18), local(11, 21, 17)),
    )
    clock = ManualClock(local(11, 21, 10))
    engine = create_engine(settings.database)
    try:
        turn = DayTurn(engine, clock)
        assert await turn.check() == set()  # nothing was due yesterday
        assert await turn.check() == set()  # same day: nothing to do
        clock.set(local(11, 22, 0, 1))
        marked = await turn.check()
    finally:
        await engine.dispose()

    assert ("agency:STP", "2026-11") in marked
    assert ("province:all", "2026-11-22") in marked
    assert ("unit:A", "2026-Q4") in marked
    assert {scope for scope, _ in marked} == {
        "province:all",
        "agency:STP",
        "unit:A",
        "procedure:P-BIRTH",
        "field:civil",
        "channel:counter",
    }
