"""The officials' HTTP API: delivery log lookups, the units directory, problem details."""

import pytest
from notify_harness import ADMIN, READ
from notify_scenario import (
    MORNING,
    applicant,
    deadline_set,
    dossier_code,
    received,
)

from motcua.clock import SimulatedClock
from motcua.testing import eventually

pytestmark = [pytest.mark.infra, pytest.mark.timeout(120)]
PROBLEM = "application/problem+json"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


async def test_the_delivery_log_is_found_by_dossier_or_recipient_with_a_token(
    notify_settings, topics, start_notify, publish, client
):
    notify = await start_notify(notify_settings, clock=SimulatedClock(MORNING, 1.0))
    code = dossier_code()
    await publish(topics.applicants, applicant(code, phone="0912 345 679"))
    await publish(topics.dossier_events, received(code))
    await publish(topics.tracking_events, deadline_set(code))
    url = f"{notify.url}/v1/notifications"

    async def logged():
        items = (await client.get(url, params={"dossier_code": code}, headers=bearer(READ))).json()
        return items["items"] if len(items["items"]) == 3 else None

    items = await eventually(logged)
    assert {i["channel"] for i in items} == {"email", "sms", "zalo"}
    assert {i["recipient"] for i in items} == {"n***@example.vn", "+84*******79"}

    by_phone = await client.get(url, params={"recipient": "+84 912-345-679"}, headers=bearer(READ))
    assert {i["channel"] for i in by_phone.json()["items"]} == {"sms", "zalo"}
    by_email = await client.get(
        url, params={"recipient": "nguyen.van.an@EXAMPLE.vn"}, headers=bearer(ADMIN)
    )
    assert [i["dossier_code"] for i in by_email.json()["items"]] == [code]

    anonymous = await client.get(url, params={"dossier_code": code})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == PROBLEM
    assert anonymous.headers["www-authenticate"] == "Bearer"
    both = await client.get(
        url, params={"dossier_code": code, "recipient": "0912345679"}, headers=bearer(READ)
    )
    assert both.status_code == 422
    assert both.json()["type"] == "urn:motcua:problem:one_filter_required"
    too_many = await client.get(
        url, params={"dossier_code": code, "limit": 0}, headers=bearer(READ)
    )
    assert too_many.status_code == 422 and too_many.headers["content-type"] == PROBLEM


async def test_the_directory_is_read_and_edited_with_the_admin_token(
    notify_settings, start_notify, client
):
    notify = await start_notify(notify_settings)
    url = f"{notify.url}/v1/directory/units"

    seeded = await client.get(f"{url}/STP.HCTP", headers=bearer(ADMIN))
    assert seeded.status_code == 200
    assert seeded.json()["name"] == "Phòng Hành chính tư pháp"
    assert (await client.get(f"{url}/STP.HCTP", headers=bearer(READ))).status_code == 403
    missing = await client.get(f"{url}/KHONG.CO", headers=bearer(ADMIN))
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM

    unit = {
        "agency_code": "STP",
        "name": "Tổ công nghệ thông tin",
        "role": "specialist",
        "email": "cntt@stp.example.vn",
        "phone": "0912.000.111",
        "channels": ["email", "sms"],
    }
    created = await client.put(f"{url}/STP.CNTT", json=unit, headers=bearer(ADMIN))
    assert created.status_code == 201
    assert created.json()["phone"] == "+84912000111"
    replaced = await client.put(
        f"{url}/STP.CNTT", json={**unit, "channels": ["email"]}, headers=bearer(ADMIN)
    )
    assert replaced.status_code == 200 and replaced.json()["channels"] == ["email"]

    bad = await client.put(
        f"{url}/STP.CNTT", json={**unit, "email": "khong-hop-le"}, headers=bearer(ADMIN)
    )
    assert bad.status_code == 422
    assert bad.json()["type"] == "urn:motcua:problem:invalid_unit"
    assert bad.json()["detail"] == "email: invalid_email"
    assert bad.json()["errors"][0]["pointer"] == "/email"
    no_hook = await client.put(
        f"{url}/STP.CNTT", json={**unit, "channels": ["webhook"]}, headers=bearer(ADMIN)
    )
    assert no_hook.json()["detail"] == "channels: webhook needs a webhook_url"
