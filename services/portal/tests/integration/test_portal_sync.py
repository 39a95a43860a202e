"""The portal service end to end: Kafka in, the fake national portal over HTTP out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from portal_harness import ADMIN
from portal_life import Life, at
from prometheus_client import REGISTRY

from motcua.clock import ManualClock
from motcua.testing import eventually
from motcua_portal.app import create_app

pytestmark = pytest.mark.infra
OFFICIAL = {"Authorization": "Bearer official-test-token"}


def statuses(received: dict) -> list[str]:
    return [entry["TrangThai"] for entry in received["progress"]]


async def test_a_whole_life_reaches_the_portal_with_every_step(harness, fake, life):
    settings = await harness.settings(fake)
    new_due = at(10, 9)
    events = [
        life.received(),
        life.recorded(),
        life.deadline_set(),
        life.transferred(at(2, 11), "MC", "PCM"),
        *life.supplement_requested(at(3, 9)),
        *life.supplement_received(at(4, 9), new_due),
        *life.apology(at(9, 8), original=new_due, new=at(12, 16)),
        life.transferred(at(10, 15), "PCM", "LD"),
        life.finished(at(11, 10)),
        life.returned(at(11, 14)),
    ]
    async with harness.running(settings) as app:
        await harness.publish(*events)
        got = await eventually(
            lambda: fake.received(life.code),
            until=lambda r: (
                len(r["progress"]) == 8 and r["record"] and r["record"]["TrangThaiHoSo"] == "10"
            ),
        )
        record = got["record"]
        assert statuses(got) == ["2", "4", "5", "4", "4", "4", "9", "10"]
        assert [e["ThoiDiemXuLy"] for e in got["progress"]] == sorted(
            e["ThoiDiemXuLy"] for e in got["progress"]
        )
        assert got["progress"][0]["ThoiDiemXuLy"] == "20260302090000"
        # Each step carries its statutory end: reception TN, the first handover XL.
        assert got["progress"][0]["NgayKetThucTheoQuyDinh"] == "20260302130000"
        assert got["progress"][1]["NgayKetThucTheoQuyDinh"] == "20260305150000"
        assert all(e["NgayKetThucTheoQuyDinh"] for e in got["progress"])
        # The statutory appointment (pause applied), never the apology's promise.
        assert record["NgayHenTra"] == "20260310090000"
        assert (record["NgayKetThucXuLy"], record["NgayTra"]) == (
            "20260311100000",
            "20260311140000",
        )
        supplement, reappointment = record["DanhSachHoSoBoSung"]
        assert (supplement["NgayHenTraTruoc"], supplement["NgayHenTraMoi"]) == (
            "20260309090000",
            "20260310090000",
        )
        assert supplement["NgayTiepNhanBoSung"] == "20260304090000"
        assert (reappointment["NgayHenTraTruoc"], reappointment["NgayHenTraMoi"]) == (
            "20260310090000",
            "20260312160000",
        )
        # One entry per step on the portal; a step is sent again only when it changed
        # (its statutory end learnt from tracking after the first send), replacing itself.
        assert len(got["progress"]) == 8
        async with harness.client(app) as http:
            state = await eventually(
                lambda: http.get(f"/v1/sync/{life.code}", headers=OFFICIAL),
                until=lambda r: r.json()["in_sync"],
            )
            body = state.json()
            assert body["on_portal"] and body["acknowledged_at"]
            assert len(body["progress"]) == 8
            assert (await http.get(f"/v1/sync/{life.code}")).status_code == 401
            missing = await http.get("/v1/sync/NOPE-1", headers=OFFICIAL)
            assert missing.status_code == 404
            assert missing.headers["content-type"] == "application/problem+json"


async def test_a_dossier_that_starts_syncing_late_is_sent_whole(harness, fake, life):
    settings = await harness.settings(fake)
    await harness.publish(life.recorded(), *life.short(), life.finished(at(4, 10)))
    async with harness.running(settings):
        got = await eventually(
            lambda: fake.received(life.code), until=lambda r: len(r["progress"]) == 4
        )
    assert statuses(got) == ["2", "4", "4", "9"]
    assert got["progress_received"] == 4, "a step was sent twice"


async def test_an_outage_is_caught_up_in_order_and_nothing_is_doubled(harness, fake):
    settings = await harness.settings(fake)
    lives = [Life() for _ in range(5)]
    async with harness.running(settings):
        await fake.mode("error_5xx", times=15)
        for one in lives:
            await harness.publish(one.recorded(), *one.short())
        for one in lives:
            await harness.publish(one.finished(at(4, 10)))
        for one in lives:
            got = await eventually(
                lambda one=one: fake.received(one.code), until=lambda r: len(r["progress"]) == 4
            )
            assert statuses(got) == ["2", "4", "4", "9"]
            assert got["record"]["TrangThaiHoSo"] == "9"
            assert len(got["progress"]) == 4
    assert fake.state.calls.get("DongBoHoSoMC", 0) > 0


async def test_a_session_expiring_mid_batch_is_renewed(harness, fake):
    settings = await harness.settings(fake, batch_size=10)
    lives = [Life() for _ in range(4)]
    async with harness.running(settings) as app:
        await harness.publish(lives[0].recorded(), *lives[0].short())
        await eventually(
            lambda: fake.received(lives[0].code), until=lambda r: len(r["progress"]) == 3
        )
        await fake.mode("session_expired", times=1)
        for one in lives[1:]:
            await harness.publish(one.recorded(), *one.short())
        for one in lives[1:]:
            got = await eventually(
                lambda one=one: fake.received(one.code), until=lambda r: len(r["progress"]) == 3
            )
            assert len(got["progress"]) == 3
        assert app.state.portal.logins == 2


async def test_a_timeout_is_retried_without_doubling(harness, fake, life):
    settings = await harness.settings(fake)
    await fake.configure(timeout_seconds=1.5)
    async with harness.running(settings):
        await fake.mode("timeout", times=1)
        await harness.publish(life.recorded(), *life.short())
        got = await eventually(
            lambda: fake.received(life.code), until=lambda r: len(r["progress"]) == 3
        )
    assert got["progress_received"] == 3


async def test_a_poisoned_dossier_is_dead_lettered_alone_and_redriven(harness, fake):
    settings = await harness.settings(fake)
    poisoned, healthy = Life(), Life()
    async with harness.running(settings) as app, harness.client(app) as http:
        await fake.mode("reject", times=1000, code=poisoned.code)
        await harness.publish(
            poisoned.recorded(), *poisoned.short(), healthy.recorded(), *healthy.short()
        )
        await eventually(
            lambda: fake.received(healthy.code), until=lambda r: len(r["progress"]) == 3
        )
        letters = await eventually(
            lambda: http.get("/v1/sync/dead-letters", headers=OFFICIAL), until=lambda r: r.json()
        )
        [letter] = letters.json()
        assert letter["code"] == poisoned.code
        assert letter["attempts"] == 3
        assert "từ chối" in letter["last_reply"]
        assert (await fake.received(poisoned.code))["record"] is None
        await fake.clear()
        redriven = await http.post(f"/v1/sync/dead-letters/{poisoned.code}/redrive", headers=ADMIN)
        assert redriven.json() == {"redriven": 1}
        got = await eventually(
            lambda: fake.received(poisoned.code), until=lambda r: len(r["progress"]) == 3
        )
        assert statuses(got) == ["2", "4", "4"]
        assert (await http.get("/v1/sync/dead-letters", headers=OFFICIAL)).json() == []


async def test_repair_sends_a_dossier_or_a_date_range_again_without_doubling(harness, fake):
    settings = await harness.settings(fake)
    first, second = Life(), Life()
    async with harness.running(settings) as app, harness.client(app) as http:
        await harness.publish(first.recorded(), *first.short(), second.recorded(), *second.short())
        for one in (first, second):
            await eventually(
                lambda one=one: fake.received(one.code), until=lambda r: len(r["progress"]) == 3
            )
        versions = (await fake.received(first.code))["record_versions"]
        one = await http.post(f"/v1/sync/{first.code}/repair", headers=ADMIN)
        assert one.json() == {"queued": 1}
        got = await eventually(
            lambda: fake.received(first.code), until=lambda r: r["record_versions"] > versions
        )
        assert len(got["progress"]) == 3
        window = {
            "received_from": at(2, 0).isoformat(),
            "received_to": at(3, 0).isoformat(),
        }
        ranged = await http.post("/v1/sync/repair", json=window, headers=ADMIN)
        assert ranged.json() == {"queued": 2}
        got = await eventually(
            lambda: fake.received(second.code), until=lambda r: r["progress_received"] >= 6
        )
        assert len(got["progress"]) == 3
        refused = await http.post("/v1/sync/repair", json=window)
        assert refused.status_code == 401


def lag_observed() -> tuple[float, float]:
    """The sync lag histogram's (sum, count) so far in this process."""
    total = REGISTRY.get_sample_value("motcua_portal_sync_lag_seconds_sum") or 0.0
    count = REGISTRY.get_sample_value("motcua_portal_sync_lag_seconds_count") or 0.0
    return total, count


async def test_the_summary_counts_dossiers_in_sync_and_a_lost_dossier_is_sent_whole(harness, fake):
    settings = await harness.settings(fake)
    kept, lost = Life(), Life()
    # The service's clock runs years past the events (a simulated clock): sync lag is
    # still the real seconds from arrival to acknowledgement.
    app = create_app(settings, clock=ManualClock(datetime(2031, 1, 1, tzinfo=UTC)))
    lag_before, acks_before = lag_observed()
    async with app.router.lifespan_context(app), harness.client(app) as http:
        await harness.publish(kept.recorded(), *kept.short(), lost.recorded(), *lost.short())
        summary = await eventually(
            lambda: http.get("/v1/sync", headers=OFFICIAL), until=lambda r: r.json()["in_sync"] == 2
        )
        assert summary.json() == {
            "dossiers": 2,
            "in_sync": 2,
            "on_portal": 2,
            "queue": {"pending": 0, "held": 0, "dead": 0},
        }
        lag, acks = lag_observed()
        assert acks - acks_before >= 2
        assert lag - lag_before < 3600 * (acks - acks_before), "lag counted on the simulated clock"
        later = await http.get(
            "/v1/sync", params={"received_from": at(3, 0).isoformat()}, headers=OFFICIAL
        )
        assert later.json()["dossiers"] == 0
        assert (await http.get("/v1/sync")).status_code == 401

        # The portal loses a dossier: the next update becomes a create with every step.
        fake.state.dossiers.pop(lost.code)
        fake.state.progress.pop(lost.code)
        await harness.publish(lost.finished(at(4, 10)))
        got = await eventually(
            lambda: fake.received(lost.code), until=lambda r: len(r["progress"]) == 4
        )
        assert statuses(got) == ["2", "4", "4", "9"]
        assert got["record"]["TrangThaiHoSo"] == "9"
