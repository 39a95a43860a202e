"""Erasing applicants' personal data, on request and at the end of retention, on the real
database and broker: the erasure is published, the outbox keeps no copy, the audit says
who asked and why, and the dossier itself stays."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from motcua.events import decode
from motcua.events.topics import TopicSpec
from motcua.settings import OutboxSettings
from motcua.testing.kafka import end_offsets, read_since

pytestmark = pytest.mark.infra

ADMIN_KEY = "test-admin-key-000000000000"
SOMEONE_ELSE = {"name": "Trần Thị Bình", "national_id": "001190000456", "phone": "0987654321"}


async def _register(intake, registration, **fields) -> str:
    response = await intake.post("/v1/dossiers", registration(**fields))
    assert response.status_code == 201, response.text
    return response.json()["code"]


async def _close(intake, code: str) -> None:
    at = intake.clock.now().isoformat()
    for body in (
        {"type": "processing_finished", "outcome": "approved", "unit_code": "STP.MC"},
        {"type": "result_returned"},
    ):
        response = await intake.post(f"/v1/dossiers/{code}/events", {**body, "occurred_at": at})
        assert response.status_code == 201, response.text


@pytest.fixture
async def held(start_intake: Callable[..., AbstractAsyncContextManager[Any]]) -> AsyncIterator[Any]:
    """Intake with its outbox relay off: what it would publish stays in the outbox, so a test
    sees which copies an erasure scrubs (with the relay on, a copy may be published, and
    gone from the outbox, before the test looks)."""
    async with start_intake(outbox=OutboxSettings(enabled=False)) as running:
        yield running


async def _personal_copies(intake, code: str) -> int:
    """The applicant records of a dossier still waiting in the outbox."""
    return await intake.scalar(
        "SELECT count(*) FROM outbox WHERE topic = :t AND key = :k "
        "AND convert_from(payload, 'UTF8') LIKE '%applicant.recorded%'",
        t=intake.topics.applicants,
        k=code,
    )


async def test_an_admin_erases_a_dossiers_applicant_and_every_consumer_is_told(
    intake, registration, kafka_settings
):
    start = await end_offsets(kafka_settings, TopicSpec(intake.topics.applicants, 6))
    code = await _register(intake, registration)
    note = {"note": "Đơn yêu cầu xoá dữ liệu số 12/2026"}

    refused = await intake.post(f"/v1/dossiers/{code}/erasure", note)
    assert refused.status_code == 403
    assert (await intake.post("/v1/dossiers/NOPE-1/erasure", note, ADMIN_KEY)).status_code == 404
    first = await intake.post(f"/v1/dossiers/{code}/erasure", note, ADMIN_KEY)
    again = await intake.post(f"/v1/dossiers/{code}/erasure", note, ADMIN_KEY)

    assert first.status_code == 200 and first.json()["erased_now"] is True
    assert again.json() == {**first.json(), "erased_now": False}
    assert await _personal_copies(intake, code) == 0
    assert await intake.scalar(
        "SELECT id_digest IS NULL AND erased_at IS NOT NULL FROM applicants "
        "WHERE dossier_code = :c",
        c=code,
    )
    records = await read_since(
        kafka_settings,
        start,
        lambda rs: any(decode(r.value).event_type == "applicant.erased" for r in rs),
    )
    erased = [decode(r.value) for r in records if r.key == code.encode()][-1]
    assert (erased.event_type, erased.data.reason) == ("applicant.erased", "request")
    # The dossier and its history stay: only the person is gone.
    stored = await intake.client.get(f"/v1/dossiers/{code}", headers=intake.headers())
    assert stored.status_code == 200 and stored.json()["status"] == 2
    (audit,) = (await intake.client.get("/v1/erasures", headers=intake.headers(ADMIN_KEY))).json()
    assert audit["dossier_code"] == code and audit["reason"] == "request"
    assert audit["note"] == note["note"] and audit["requested_by"]


async def test_a_persons_request_erases_each_of_their_dossiers_and_no_one_elses(held, registration):
    intake = held
    mine = [await _register(intake, registration) for _ in range(2)]
    theirs = await _register(intake, registration, applicant=SOMEONE_ELSE)
    body = {"kind": "citizen", "id_number": "025090000123", "note": "Yêu cầu của công dân"}

    answer = await intake.post("/v1/erasures", body, ADMIN_KEY)

    assert answer.status_code == 200, answer.text
    assert answer.json()["dossier_codes"] == sorted(mine)
    assert [await _personal_copies(intake, code) for code in [*mine, theirs]] == [0, 0, 1]
    again = await intake.post("/v1/erasures", body, ADMIN_KEY)
    assert again.json()["dossier_codes"] == []
    # Nothing in intake's tables names the person any more.
    assert await intake.scalar("SELECT count(*) FROM applicants WHERE id_digest IS NOT NULL") == 1


async def test_the_retention_job_erases_closed_dossiers_only_after_their_time(held, registration):
    intake = held
    closed = await _register(intake, registration)
    await _close(intake, closed)
    still_open = await _register(intake, registration)
    privacy = intake.app.state.services.privacy

    intake.clock.advance(days=89)
    await privacy.sweep()
    assert await _personal_copies(intake, closed) == 1

    intake.clock.advance(days=2)
    await privacy.sweep()
    assert await _personal_copies(intake, closed) == 0
    assert await _personal_copies(intake, still_open) == 1
    reasons = await intake.scalar("SELECT string_agg(reason, ',') FROM erasures")
    assert reasons == "retention"
