"""A merge of two agencies on PostgreSQL and Kafka: the absorbed agency's keys follow it,
its procedures are republished under the absorbing agency, and its dossiers stay its own
while either agency's keys may act on them; a request retried across the merge is
recognised."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from motcua.events import decode
from motcua.events.topics import TopicSpec
from motcua.testing.kafka import end_offsets, read_since

pytestmark = pytest.mark.infra

ADMIN_KEY = "test-admin-key-000000000000"
STP_KEY = "test-stp-key-0000000000000000"
SXD_KEY = "test-sxd-key-0000000000000000"
MERGE_DAY = "2026-11-23"
RETRIED = "0b7f3c52-5a0e-4d55-9f5e-2a6d1c8e9f01"


async def test_a_merge_moves_keys_and_procedures_and_keeps_the_absorbed_agencys_dossiers(
    intake, registration, kafka_settings
):
    issued_stp = await _issue_key(intake, "STP")
    bystander = await _issue_key(intake, "STC")
    # Before the merge: a closed and an open dossier of STP, one of SXD.
    closed = await _register(intake, registration(), STP_KEY)
    for body in (
        {"type": "transferred", "from_unit": "STP.MC", "to_unit": "STP.BGD"},
        {"type": "processing_finished", "outcome": "approved", "unit_code": "STP.BGD"},
        {"type": "result_returned"},
    ):
        assert (await _event(intake, closed, body, STP_KEY)).status_code == 201
    open_code = await _register(intake, registration(), STP_KEY)
    to_hctp = {"type": "transferred", "from_unit": "STP.MC", "to_unit": "STP.HCTP"}
    to_hctp["occurred_at"] = (intake.clock.now() - timedelta(minutes=5)).isoformat()
    path = f"/v1/dossiers/{open_code}/events"
    first = await intake.post(path, to_hctp, STP_KEY, **{"Idempotency-Key": RETRIED})
    assert first.status_code == 201, first.text
    sxd = registration(agency_code="SXD", unit_code="SXD.MC", procedure_code="1.009972")
    sxd_code = await _register(intake, sxd, SXD_KEY)
    # Nothing yet lets one agency's keys act on the other's dossiers.
    to_bgd = {"type": "transferred", "from_unit": "STP.HCTP", "to_unit": "STP.BGD"}
    assert (await _event(intake, open_code, to_bgd, SXD_KEY)).status_code == 403
    assert (await _read(intake, sxd_code, STP_KEY)).status_code == 403
    catalogue = {p["code"]: p for p in await _procedures(intake)}
    stp_procedures = {c for c, p in catalogue.items() if p["competent_agency"] == "STP"}
    sxd_procedures = {c for c, p in catalogue.items() if p["competent_agency"] == "SXD"}
    assert len(stp_procedures) == 4 and len(sxd_procedures) == 4

    # The merge, recorded on the day it takes effect.
    intake.clock.set(datetime.fromisoformat(f"{MERGE_DAY}T09:00:00+07:00"))
    catalogue_start = await end_offsets(kafka_settings, TopicSpec(intake.topics.catalogue, 3))
    merge = await intake.post("/v1/agencies/STP/merge", {"into": "SXD", "on": MERGE_DAY}, ADMIN_KEY)
    assert merge.status_code == 200, merge.text
    assert merge.json()["absorbed"]["merged_into"] == "SXD"

    # (2) STP's procedures are republished with SXD as competent agency, and only they.
    def handed_over(records):
        envelopes = (decode(r.value) for r in records)
        return {
            e.data.procedure.code: e
            for e in envelopes
            if e.data.competent_agency == "SXD" and e.data.revision == 2
        }

    records = await read_since(
        kafka_settings, catalogue_start, lambda rs: handed_over(rs).keys() >= stp_procedures
    )
    republished = handed_over(records)
    assert republished.keys() == stp_procedures
    for code, envelope in republished.items():
        assert envelope.event_type == "catalogue.procedure-updated"
        assert envelope.agency_code == "SXD"
        assert envelope.data.procedure.name == catalogue[code]["name"]
    after = {p["code"]: p for p in await _procedures(intake)}
    assert {c for c, p in after.items() if p["competent_agency"] == "SXD"} == (
        stp_procedures | sxd_procedures
    )
    assert {after[c]["revision"] for c in stp_procedures} == {2}
    assert {after[c]["revision"] for c in sxd_procedures} == {1}
    assert not {c for c, p in after.items() if p["competent_agency"] == "STP"}

    # (1) STP's keys, bootstrap or issued, now act for SXD's dossiers.
    for key in (STP_KEY, issued_stp):
        assert (await _read(intake, sxd_code, key)).status_code == 200
    to_qlhdxd = {"type": "transferred", "from_unit": "SXD.MC", "to_unit": "SXD.QLHDXD"}
    assert (await _event(intake, sxd_code, to_qlhdxd, STP_KEY)).status_code == 201
    new_sxd = await intake.post("/v1/dossiers", sxd, issued_stp)
    assert new_sxd.status_code == 201, new_sxd.text
    assert new_sxd.json()["code"].startswith("SXD-")

    # STP's keys still read STP's older dossiers; so do SXD's; another agency's do not.
    for key in (STP_KEY, issued_stp, SXD_KEY):
        read = await _read(intake, closed, key)
        assert read.status_code == 200, read.text
        assert read.json()["agency_code"] == "STP"
        assert read.json()["status"] == 10
    assert (await _read(intake, closed, bystander)).status_code == 403

    # STP's keys still register STP's dossiers received before the merge (a history
    # import), not after it: STP takes no new dossier from the merge date.
    before = registration(received_at="2026-11-20T09:00:00+07:00")
    imported = await intake.post("/v1/dossiers", before, STP_KEY)
    assert imported.status_code == 201, imported.text
    assert imported.json()["code"].startswith("STP-")
    after_merge = await intake.post(
        "/v1/dossiers", registration(received_at=f"{MERGE_DAY}T08:00:00+07:00"), STP_KEY
    )
    assert after_merge.status_code == 422, after_merge.text
    assert after_merge.json()["errors"][0]["code"] == "agency_retired"
    assert (await intake.post("/v1/dossiers", before, bystander)).status_code == 403

    # A request sent before the merge and retried after it (the key now SXD's) is
    # answered as the first time, not applied again.
    retried = await intake.post(path, to_hctp, STP_KEY, **{"Idempotency-Key": RETRIED})
    assert retried.status_code == 201, retried.text
    assert retried.headers.get("Idempotent-Replayed") == "true"
    assert retried.json() == first.json()

    # STP's dossier open at the merge takes later events with either agency's keys.
    dossier_start = await end_offsets(kafka_settings, TopicSpec(intake.topics.dossier_events, 6))
    assert (await _event(intake, open_code, to_bgd, STP_KEY)).status_code == 201
    finished = {"type": "processing_finished", "outcome": "approved", "unit_code": "STP.BGD"}
    assert (await _event(intake, open_code, finished, SXD_KEY)).status_code == 201
    returned = {"type": "result_returned"}
    assert (await _event(intake, open_code, returned, bystander)).status_code == 403
    assert (await _event(intake, open_code, returned, issued_stp)).status_code == 201

    def ours(records):
        return [decode(r.value) for r in records if r.key == open_code.encode()]

    records = await read_since(kafka_settings, dossier_start, lambda rs: len(ours(rs)) >= 3)
    assert [e.event_type for e in ours(records)] == [
        "dossier.transferred",
        "dossier.processing-finished",
        "dossier.result-returned",
    ]
    # The dossier keeps its agency: its events still name STP.
    assert {e.agency_code for e in ours(records)} == {"STP"}
    read = (await _read(intake, open_code, SXD_KEY)).json()
    assert (read["agency_code"], read["status"], len(read["events"])) == ("STP", 10, 5)


async def _issue_key(intake, agency: str) -> str:
    response = await intake.post(f"/v1/agencies/{agency}/keys", {"label": "một cửa"}, ADMIN_KEY)
    assert response.status_code == 201, response.text
    key: str = response.json()["key"]
    return key


async def _register(intake, body, key: str) -> str:
    response = await intake.post("/v1/dossiers", body, key)
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


async def _event(intake, code: str, body, key: str):
    at = (intake.clock.now() - timedelta(minutes=5)).isoformat()
    return await intake.post(f"/v1/dossiers/{code}/events", {**body, "occurred_at": at}, key)


async def _read(intake, code: str, key: str):
    return await intake.client.get(f"/v1/dossiers/{code}", headers=intake.headers(key))


async def _procedures(intake) -> list[dict]:
    response = await intake.client.get("/v1/procedures", headers=intake.headers())
    assert response.status_code == 200
    procedures: list[dict] = response.json()
    return procedures
