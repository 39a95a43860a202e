"""The procedure catalogue: seeding, reading, editing, and what each change publishes."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import text

from motcua.events import decode

pytestmark = pytest.mark.infra

ADMIN_KEY = "test-admin-key-000000000000"


def editable(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k not in {"code", "revision"}}


async def published(intake) -> list:
    async with intake.app.state.runtime.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT key, payload FROM outbox WHERE topic = :t ORDER BY id"),
            {"t": intake.topics.catalogue},
        )
        return [(row.key, decode(row.payload)) for row in rows]


async def test_the_seed_catalogue_is_loaded_and_published_once(start_intake):
    async with start_intake() as intake:
        listed = (await intake.client.get("/v1/procedures", headers=intake.headers())).json()
        first = await published(intake)
    async with start_intake() as intake:
        again = await published(intake)
        agencies = (await intake.client.get("/v1/agencies", headers=intake.headers())).json()

    assert len(listed) == 44
    assert {entry["revision"] for entry in listed} == {1}
    assert len(first) == 44 and again == first
    key, envelope = first[0]
    assert key == envelope.data.procedure.code
    assert envelope.event_type == "catalogue.procedure-updated"
    assert "STP" in [a["code"] for a in agencies]


async def test_one_procedure_and_a_missing_one(intake):
    found = await intake.client.get("/v1/procedures/1.001193", headers=intake.headers())
    missing = await intake.client.get("/v1/procedures/0.000000", headers=intake.headers())
    assert found.json()["name"] == "Đăng ký khai sinh"
    assert found.json()["processing_time"] == {"unit": "within_day", "amount": "1"}
    assert missing.status_code == 404 and missing.json()["code"] == "procedure_not_found"


async def test_an_edit_bumps_the_revision_and_is_published(intake, registration):
    entry = (await intake.client.get("/v1/procedures/2.001417", headers=intake.headers())).json()
    body = editable(entry) | {"late_cutoff": "16:00"}
    response = await intake.client.put(
        "/v1/procedures/2.001417", json=body, headers=intake.headers(ADMIN_KEY)
    )
    unchanged = await intake.client.put(
        "/v1/procedures/2.001417", json=body, headers=intake.headers(ADMIN_KEY)
    )

    assert response.status_code == 200, response.text
    assert response.json()["revision"] == 2 and response.json()["late_cutoff"] == "16:00"
    assert unchanged.json()["revision"] == 2
    events = [e for k, e in await published(intake) if k == "2.001417"]
    assert [e.data.revision for e in events] == [1, 2]
    assert events[-1].data.procedure.late_cutoff.isoformat() == "16:00:00"

    receipt = (await intake.post("/v1/dossiers", registration())).json()
    # A reception names the revision it follows: the edited one.
    assert receipt["record"]["data"]["procedure_revision"] == 2


async def test_a_new_procedure_is_created(intake):
    body = {
        "name": "Thủ tục thử nghiệm",
        "field": "Thử nghiệm",
        "level": "province",
        "competent_agency": "STP",
        "processing_time": {"unit": "working_days", "amount": "2"},
        "steps": [
            {
                "code": "TN",
                "name": "Tiếp nhận",
                "unit_role": "one_stop",
                "allotted": {"unit": "working_days", "amount": "0.5"},
            },
            {
                "code": "XL",
                "name": "Xử lý",
                "unit_role": "specialist",
                "allotted": {"unit": "working_days", "amount": "1.5"},
            },
        ],
    }
    response = await intake.client.put(
        "/v1/procedures/9.000001", json=body, headers=intake.headers(ADMIN_KEY)
    )
    assert response.status_code == 201, response.text
    assert response.json()["revision"] == 1
    assert [k for k, _ in await published(intake)][-1] == "9.000001"


@pytest.mark.parametrize(
    ("change", "code", "pointer"),
    [
        (
            {"processing_time": {"unit": "working_days", "amount": "11"}},
            "invalid_procedure",
            "/steps",
        ),
        ({"competent_agency": "NOPE"}, "unknown_agency", "/competent_agency"),
        ({"level": "commune"}, "invalid_procedure", "/competent_agency"),
        ({"late_cutoff": "25:00"}, "invalid_request", "/late_cutoff"),
        ({"steps": []}, "invalid_request", "/steps"),
    ],
)
async def test_an_invalid_edit_is_refused_and_not_published(intake, change, code, pointer):
    entry = (await intake.client.get("/v1/procedures/2.001417", headers=intake.headers())).json()
    response = await intake.client.put(
        "/v1/procedures/2.001417",
        content=orjson.dumps(editable(entry) | change),
        headers={**intake.headers(ADMIN_KEY), "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert len(await published(intake)) == 44
