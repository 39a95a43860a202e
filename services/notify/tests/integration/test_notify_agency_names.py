"""Agencies intake publishes: their names and their units' beside the codes notify shows."""

import pytest
from notify_harness import ADMIN, READ
from notify_scenario import (
    AGENCY,
    COUNTER,
    MORNING,
    SPECIALISTS,
    applicant,
    deadline_set,
    dossier_code,
    due_soon,
    received,
)

from motcua.clock import SimulatedClock
from motcua.events import AgencyUnit, AgencyUpdated, Envelope
from motcua.testing import eventually

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def agency(name: str, revision: int) -> Envelope:
    data = AgencyUpdated(
        code=AGENCY,
        name=name,
        level="province",
        kind="department",
        units=(
            AgencyUnit(code=COUNTER, name="Bộ phận Một cửa Sở Tư pháp", role="one_stop"),
            AgencyUnit(code=SPECIALISTS, name="Phòng Hành chính tư pháp", role="specialist"),
        ),
        revision=revision,
    )
    return Envelope.wrap(
        data,
        producer="intake",
        occurred_at=MORNING,
        now=MORNING,
        dossier_code=None,
        agency_code=AGENCY,
    )


async def test_the_log_and_the_directory_show_the_names_intake_published(
    notify_settings, topics, start_notify, publish, client, notify_db
):
    notify = await start_notify(notify_settings, clock=SimulatedClock(MORNING, 1.0))
    await publish(topics.agencies, agency("Sở Tư pháp tỉnh Phú Thọ", 2))
    await publish(topics.agencies, agency("Tên cũ", 1))  # an older revision, late: ignored

    async def stored():
        rows = await notify_db("SELECT name FROM agencies WHERE code = :c", c=AGENCY)
        return rows or None

    await eventually(stored)
    code = dossier_code()
    await publish(topics.applicants, applicant(code))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code), due_soon(code))

    async def logged():
        page = await client.get(
            f"{notify.url}/v1/notifications", params={"dossier_code": code}, headers=bearer(READ)
        )
        items = page.json()["items"]
        return items if any(i["unit_code"] for i in items) else None

    items = await eventually(logged)
    assert {(i["agency_code"], i["agency_name"]) for i in items} == {
        (AGENCY, "Sở Tư pháp tỉnh Phú Thọ")
    }
    assert {(i["unit_code"], i["unit_name"]) for i in items if i["unit_code"]} == {
        (SPECIALISTS, "Phòng Hành chính tư pháp")
    }

    unit = await client.get(f"{notify.url}/v1/directory/units/{COUNTER}", headers=bearer(ADMIN))
    assert unit.status_code == 200
    assert unit.json()["agency_name"] == "Sở Tư pháp tỉnh Phú Thọ"
    assert unit.json()["unit_name"] == "Bộ phận Một cửa Sở Tư pháp"
