import orjson
from sqlalchemy import text

from motcua.events import decode
from motcua.messaging import outbox_rows


async def rows(intake, sql: str, **params) -> list[dict]:
    async with intake.app.state.runtime.engine.connect() as conn:
        return [dict(row._mapping) for row in await conn.execute(text(sql), params)]


def without_payload(row: dict) -> dict:
    return {name: value for name, value in row.items() if name != "payload"}


async def test_a_batch_writes_the_outbox_rows_the_kernel_makes(intake, registration):
    """Each event's outbox row is the one `outbox_rows` makes of it (id, topic, key,
    shard), its payload the very envelope stored with the dossier; so is each applicant
    record's, on the applicants' topic."""
    line = {
        "kind": "registration",
        "dossier": registration(dossier_code="STP-HS-0043"),
        "events": [
            {
                "type": "transferred",
                "occurred_at": intake.clock.now().isoformat(),
                "from_unit": "STP.HCTP",
                "to_unit": "STP.BGD",
            }
        ],
    }
    assert (await intake.post("/v1/dossiers", registration())).status_code == 201
    imported = await intake.client.post(
        "/v1/imports",
        content=orjson.dumps(line) + b"\n",
        headers=intake.headers(**{"content-type": "application/x-ndjson"}),
    )
    assert imported.json()["accepted"] == 1

    events = await rows(
        intake,
        "SELECT e.envelope, o.event_id, o.topic, o.key, o.shard, o.payload"
        " FROM dossier_events e JOIN outbox o USING (event_id) ORDER BY e.id",
    )
    assert [row["key"] for row in events] == ["STP-261120-0001", "STP-HS-0043", "STP-HS-0043"]
    for row in events:
        stored = row.pop("envelope")
        assert row["payload"] == stored
        (expected,) = outbox_rows([decode(stored)], intake.topics.dossier_events)
        assert without_payload(row) == without_payload(expected)
    personal = await rows(
        intake,
        "SELECT event_id, topic, key, shard, payload FROM outbox WHERE topic = :t ORDER BY id",
        t=intake.topics.applicants,
    )
    assert [row["key"] for row in personal] == ["STP-261120-0001", "STP-HS-0043"]
    for row in personal:
        (expected,) = outbox_rows([decode(row["payload"])], intake.topics.applicants)
        assert without_payload(row) == without_payload(expected)
