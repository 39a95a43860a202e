"""The citizen look-up's phone digest comes from the applicants' topic: it works whichever
of the applicant record and the reception arrives first, and an erasure ends it for good,
even when an older record is read again. Nothing of the person is kept elsewhere."""

from __future__ import annotations

import orjson
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from test_dossier_tracking import at

from motcua.db import create_engine, migrate
from motcua.events import encode
from motcua.messaging import PermanentError
from motcua.settings import DatabaseSettings
from motcua_tracking.app import MIGRATIONS
from motcua_tracking.service import phone_digest

pytestmark = pytest.mark.infra

PHONE = "+84 912 34 5678"
CLIENT = "10.0.0.1"


async def test_the_applicant_recorded_before_the_reception_opens_the_look_up(harness, intake):
    code = intake.new_code()
    await harness.apply(intake.applicant(code, at(3, 2, 9), phone=PHONE))
    assert await harness.lookups.citizen(code, "5678", CLIENT) is None  # no dossier yet

    await harness.apply(intake.received(code, at(3, 2, 9)))

    view = await harness.lookups.citizen(code, "5678", CLIENT)
    assert view is not None and view.code == code


async def test_the_applicant_recorded_after_the_reception_opens_the_look_up(harness, intake):
    code = intake.new_code()
    await harness.apply(intake.received(code, at(3, 2, 9)))
    assert await harness.lookups.citizen(code, "5678", CLIENT) is None  # no digest yet

    await harness.apply(intake.applicant(code, at(3, 2, 9), phone=PHONE))

    view = await harness.lookups.citizen(code, "5678", CLIENT)
    assert view is not None and view.code == code


async def test_after_an_erasure_the_look_up_fails_like_a_wrong_phone(harness, intake):
    code = intake.new_code()
    await harness.apply(
        intake.received(code, at(3, 2, 9)), intake.applicant(code, at(3, 2, 9), phone=PHONE)
    )
    await harness.apply(intake.erased(code, at(3, 20, 9)))

    assert await harness.lookups.citizen(code, "5678", CLIENT) is None
    assert await harness.lookups.official(code) is not None  # the dossier itself stays
    assert await digests(harness) == [(code, None, at(3, 20, 9))]


async def test_an_older_record_read_again_after_the_erasure_stores_nothing(harness, intake):
    code, other = intake.new_code(), intake.new_code()
    recorded = intake.applicant(code, at(3, 2, 9), phone=PHONE)
    await harness.apply(intake.received(code, at(3, 2, 9)), recorded)
    await harness.apply(intake.erased(code, at(3, 20, 9)))

    await harness.apply(recorded)  # offsets rewound: the old record comes again
    # Within one batch too, in either order.
    await harness.apply(
        intake.applicant(other, at(3, 2, 9), phone=PHONE),
        intake.erased(other, at(3, 20, 9)),
        intake.applicant(other, at(3, 2, 9), phone=PHONE),
    )

    assert await harness.lookups.citizen(code, "5678", CLIENT) is None
    assert sorted(await digests(harness)) == sorted(
        [(code, None, at(3, 20, 9)), (other, None, at(3, 20, 9))]
    )


async def test_nothing_of_the_applicant_is_kept_with_the_dossier_events(harness, intake):
    code = intake.new_code()
    await harness.apply(
        intake.applicant(code, at(3, 2, 9), phone=PHONE),
        intake.received(code, at(3, 2, 9)),
        intake.transferred(code, at(3, 2, 11), "MC", "PCM"),
    )
    async with harness.engine.connect() as conn:
        kept = (await conn.execute(text("SELECT envelope::text FROM dossier_events"))).scalars()
        stored = " ".join(kept)
    assert "applicant.recorded" not in stored and "dossier.received" in stored
    assert "Nguyễn" not in stored and "5678" not in stored and "001099012345" not in stored


async def test_an_applicant_event_without_a_dossier_code_is_a_dead_letter(harness, intake):
    envelope = intake.applicant(intake.new_code(), at(3, 2, 9)).model_copy(
        update={"dossier_code": None}
    )
    with pytest.raises(PermanentError) as refused:
        await harness.apply(envelope)
    assert refused.value.code == "missing_dossier_code"


async def test_the_upgrade_moves_digests_out_and_scrubs_kept_receptions(fresh_database_url, intake):
    """A database of the previous revision: its digests move to their table and the kept
    receptions lose the applicant and proxy they carried."""
    code = intake.new_code()
    old = orjson.loads(encode(intake.received(code, at(3, 2, 9))))
    del old["data"]["applicant_kind"]
    old["data"]["applicant"] = {"name": "Công ty A", "kind": "organisation", "phone": "0912"}
    old["data"]["proxy"] = {"name": "Nguyễn Văn B", "phone": "0987654321"}
    engine = create_engine(DatabaseSettings(url=fresh_database_url))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade_to, "0005")
            await conn.execute(
                text(
                    "INSERT INTO dossiers (code, agency_code, status, is_open, received_at,"
                    " phone_hash, document) VALUES (:c, 'STP', 1, true, now(), 'digest', '{}')"
                ),
                {"c": code},
            )
            await conn.execute(
                text(
                    "INSERT INTO dossier_events (dossier_code, occurred_at, event_id, envelope)"
                    " VALUES (:c, now(), gen_random_uuid(), CAST(:e AS jsonb))"
                ),
                {"c": code, "e": orjson.dumps(old).decode()},
            )
        await migrate(engine, MIGRATIONS)
        async with engine.connect() as conn:
            moved = (await conn.execute(text("SELECT * FROM applicant_digests"))).all()
            kept = (await conn.execute(text("SELECT envelope FROM dossier_events"))).scalar_one()
            columns = (
                await conn.execute(
                    text(
                        "SELECT column_name FROM information_schema.columns"
                        " WHERE table_name = 'dossiers'"
                    )
                )
            ).scalars()
            assert "phone_hash" not in list(columns)
    finally:
        await engine.dispose()
    assert [tuple(row) for row in moved] == [(code, "digest", None)]
    assert "applicant" not in kept["data"] and "proxy" not in kept["data"]
    assert kept["data"]["applicant_kind"] == "organisation"


def test_the_digest_is_keyed_and_salted_by_the_code() -> None:
    first = phone_digest(b"pepper", "STP-1", PHONE)
    assert first == phone_digest(b"pepper", "STP-1", "0912345678")
    assert first != phone_digest(b"pepper", "STP-2", PHONE)
    assert first != phone_digest(b"another", "STP-1", PHONE)
    assert phone_digest(b"pepper", "STP-1", "12") is None


async def digests(harness) -> list[tuple]:
    async with harness.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT dossier_code, phone_hash, erased_at FROM applicant_digests")
        )
        return [tuple(row) for row in rows]


def _upgrade_to(conn: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    command.upgrade(config, revision)
