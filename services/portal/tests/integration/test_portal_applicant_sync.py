"""The applicant on its own topic, end to end: a dossier waits for its applicant record,
an erasure scrubs what the service keeps, a dossier erased before the portal had it is
sent without personal data (the portal's required ChuHoSo says the data was erased)."""

from __future__ import annotations

import json

import pytest
from portal_life import Life, at
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from motcua.testing import eventually
from motcua_portal.adapters.tables import APPLICANTS, ERASURES
from motcua_portal.domain.payloads import ERASED_HOLDER

pytestmark = pytest.mark.infra
OFFICIAL = {"Authorization": "Bearer official-test-token"}
PERSONAL = ("Nguyễn Văn A", "001099012345", "0912345678", "nguyenvana@example.vn")


def awaiting() -> float:
    return REGISTRY.get_sample_value("motcua_portal_awaiting_applicant") or 0.0


async def test_a_dossier_waits_for_its_applicant_then_syncs_with_it(harness, fake, life: Life):
    settings = await harness.settings(fake)
    async with harness.running(settings) as app, harness.client(app) as http:
        await harness.publish(*life.short())
        # Held for its applicant once the reception is read (a deadline read before it, from
        # the other topic, holds the dossier for its reception first).
        await eventually(
            lambda: http.get(f"/v1/sync/{life.code}", headers=OFFICIAL),
            until=lambda r: (
                r.status_code == 200
                and (r.json()["queue"] or {}).get("state") == "held"
                and r.json()["queue"]["reason"] == "awaiting_applicant"
            ),
            what="the dossier held for its applicant",
        )
        # The service's own gauge loop (every 0.2 s here) counts it.
        await eventually(awaiting, until=lambda held: held >= 1, what="the awaiting gauge")
        # Progress queues behind the dossier's creation, coalesced.
        await harness.publish(life.finished(at(4, 10)))
        await eventually(
            lambda: http.get(f"/v1/sync/{life.code}", headers=OFFICIAL),
            until=lambda r: r.json()["revision"] == 5 and r.json()["queue"]["state"] == "held",
        )
        assert (await fake.received(life.code))["record"] is None

        await harness.publish(life.recorded())
        got = await eventually(
            lambda: fake.received(life.code), until=lambda r: len(r["progress"]) == 4
        )
        assert got["record"]["ChuHoSo"] == "Nguyễn Văn A"
        assert got["record"]["SoDienThoai"] == "0912345678"
        assert [e["TrangThai"] for e in got["progress"]] == ["2", "4", "4", "9"]
        assert (got["record_versions"], got["progress_received"]) == (1, 4)


async def test_an_erasure_scrubs_what_the_service_keeps_and_a_reread_record_is_ignored(
    harness, fake, life: Life
):
    settings = await harness.settings(fake)
    async with harness.running(settings) as app, harness.client(app) as http:
        await harness.publish(life.recorded(), *life.short())
        await eventually(
            lambda: http.get(f"/v1/sync/{life.code}", headers=OFFICIAL),
            until=lambda r: (
                r.status_code == 200 and r.json()["in_sync"] and r.json()["revision"] == 5
            ),
        )
        assert (await fake.received(life.code))["record"]["ChuHoSo"] == "Nguyễn Văn A"
        versions = (await fake.received(life.code))["record_versions"]

        await harness.publish(life.erased(at(9, 9)))
        state = await eventually(
            lambda: http.get(f"/v1/sync/{life.code}", headers=OFFICIAL),
            until=lambda r: r.json()["record"]["ChuHoSo"] == ERASED_HOLDER and r.json()["in_sync"],
        )
        assert not [value for value in PERSONAL if value in json.dumps(state.json())]
        # The record read again (the compacted topic re-read): nothing stored.
        await harness.publish(life.recorded())
        await harness.publish(life.finished(at(10, 10)))
        got = await eventually(
            lambda: fake.received(life.code), until=lambda r: r["record"]["TrangThaiHoSo"] == "9"
        )
        async with app.state.runtime.sessions() as session:
            kept = await session.scalar(
                select(func.count()).select_from(APPLICANTS).where(APPLICANTS.c.code == life.code)
            )
            erased = await session.scalar(
                select(ERASURES.c.reason).where(ERASURES.c.code == life.code)
            )
        assert (kept, erased) == (0, "request")
        # The next change goes without the personal fields.
        assert got["record"]["ChuHoSo"] == ERASED_HOLDER and got["record"]["TrangThaiHoSo"] == "9"
        assert got["record_versions"] == versions + 1


async def test_a_dossier_erased_before_the_portal_had_it_is_sent_without_personal_data(
    harness, fake, life: Life
):
    settings = await harness.settings(fake)
    async with harness.running(settings):
        await harness.publish(life.recorded(), life.erased(at(2, 10), "retention"))
        await harness.publish(*life.short())
        got = await eventually(
            lambda: fake.received(life.code), until=lambda r: len(r["progress"]) == 3
        )
    record = got["record"]
    assert (record["ChuHoSo"], record["SoGiayToChuHoSo"]) == (ERASED_HOLDER, "")
    assert record["Email"] == ""
    assert record["SoDienThoai"] == "" and record["LoaiDoiTuong"] == "1"
    assert not [value for value in PERSONAL if value in json.dumps(got)]
