"""The applicant apart from the dossier's events, on PostgreSQL: the latest record kept,
erasures remembered and scrubbing every copy, the migration moving older receptions'
applicants out of the stored events."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from alembic import command
from alembic.config import Config
from portal_life import Life, at
from sqlalchemy import func, select, text

from motcua.db import create_engine
from motcua.events import Envelope
from motcua.settings import DatabaseSettings
from motcua.testing.catalogue import procedures_named
from motcua_portal.adapters.store import NewApplicant, NewErasure, NewFact, SyncStore
from motcua_portal.adapters.tables import APPLICANTS, DOSSIERS, ERASURES, EVENTS, QUEUE
from motcua_portal.app import MIGRATIONS
from motcua_portal.domain import digest
from motcua_portal.domain.payloads import ERASED_HOLDER
from motcua_portal.service.ingest import fact_data

pytestmark = pytest.mark.infra
T0 = at(2, 9)
PERSONAL = ("Nguyễn Văn A", "001099012345", "0912345678", "nguyenvana@example.vn", "Trần Thị B")


def fact(envelope: Envelope) -> NewFact:
    return NewFact(
        envelope.event_id,
        envelope.dossier_code or "",
        envelope.agency_code,
        envelope.event_type,
        envelope.occurred_at,
        envelope.recorded_at,
        fact_data(envelope.data, procedures_named([envelope])),
    )


def recorded(envelope: Envelope) -> NewApplicant:
    data = envelope.data
    return NewApplicant(
        envelope.event_id,
        envelope.dossier_code or "",
        envelope.agency_code,
        envelope.occurred_at,
        envelope.recorded_at,
        data.applicant.model_dump(mode="json"),  # type: ignore[attr-defined]
        data.proxy.model_dump(mode="json"),  # type: ignore[attr-defined]
    )


def erasure(envelope: Envelope) -> NewErasure:
    return NewErasure(
        envelope.dossier_code or "",
        envelope.agency_code,
        envelope.data.reason,  # type: ignore[attr-defined]
        envelope.occurred_at,
        envelope.recorded_at,
    )


async def apply(sessions, records=(), erasures=(), now=T0) -> list[str]:
    async with sessions() as session, session.begin():
        return await SyncStore(session).keep_applicants(list(records), list(erasures), now)


async def kept_applicant(sessions, code: str):
    async with sessions() as session:
        return (await session.execute(select(APPLICANTS).where(APPLICANTS.c.code == code))).first()


async def test_the_latest_record_of_a_dossier_is_kept_and_queues_it(portal_sessions, life: Life):
    first = life.recorded(name="Nguyễn Văn A")
    corrected = life.recorded(at(2, 10), name="Nguyễn Văn Anh")

    assert await apply(portal_sessions, [recorded(first)]) == [life.code]
    assert await apply(portal_sessions, [recorded(corrected)], now=at(2, 10)) == [life.code]
    # The first record read again (a consumer rewound): older than the one kept.
    assert await apply(portal_sessions, [recorded(first)], now=at(2, 11)) == []

    row = await kept_applicant(portal_sessions, life.code)
    assert row.applicant["name"] == "Nguyễn Văn Anh"
    assert row.proxy["name"] == "Trần Thị B"
    async with portal_sessions() as session:
        applicants = await SyncStore(session).applicants([life.code, "NOPE"])
        dossier = (
            await session.execute(select(DOSSIERS).where(DOSSIERS.c.code == life.code))
        ).one()
        queued = (await session.execute(select(QUEUE).where(QUEUE.c.code == life.code))).one()
    assert applicants.recorded[life.code]["name"] == "Nguyễn Văn Anh"
    assert applicants.erased == set()
    assert (dossier.revision, dossier.received_at) == (2, None)
    assert (queued.state, queued.revision) == ("pending", 2)


async def test_an_erasure_deletes_the_record_and_scrubs_every_stored_copy(
    portal_sessions, life: Life
):
    # A reception stored before the applicant left it, a record sent, a reply kept.
    old_reception = fact(life.received())
    with_applicant = {
        **old_reception.data,
        "applicant": recorded(life.recorded()).applicant,
        "proxy": recorded(life.recorded()).proxy,
    }
    old_reception = NewFact(**{**_fields(old_reception), "data": with_applicant})
    async with portal_sessions() as session, session.begin():
        store = SyncStore(session)
        await store.keep([old_reception, fact(life.deadline_set())], T0)
        await store.keep_applicants([recorded(life.recorded())], [], T0)
        (claim,) = await store.claim(T0, T0 + timedelta(minutes=2), 10)
        sent = {"MaHoSo": life.code, "ChuHoSo": "Nguyễn Văn A", "LoaiDoiTuong": "1"}
        sent |= {"SoGiayToChuHoSo": "001099012345", "Email": "nguyenvana@example.vn"}
        sent |= {"SoDienThoai": "0912345678", "TrangThaiHoSo": "2"}
        echo = '{"error_code": 0, "message": "Nguyễn Văn A 0912345678"}'
        await store.acknowledged(claim, T0, sent, digest(sent), [], echo)
        await store.failed(claim, due_at=T0, now=T0, code="-2", reply=echo, dead=False)

    queued = await apply(portal_sessions, erasures=[erasure(life.erased(at(9, 9)))], now=at(9, 9))

    assert queued == [life.code]
    assert await kept_applicant(portal_sessions, life.code) is None
    async with portal_sessions() as session:
        events = (
            await session.execute(select(EVENTS.c.data).where(EVENTS.c.dossier_code == life.code))
        ).scalars()
        dossier = (
            await session.execute(select(DOSSIERS).where(DOSSIERS.c.code == life.code))
        ).one()
        queue = (await session.execute(select(QUEUE).where(QUEUE.c.code == life.code))).one()
        remembered = (
            await session.execute(select(ERASURES).where(ERASURES.c.code == life.code))
        ).one()
        applicants = await SyncStore(session).applicants([life.code])
    kept = json.dumps([*events, dossier.record, dossier.last_reply, queue.last_reply])
    assert not [value for value in PERSONAL if value in kept]
    assert (dossier.record["ChuHoSo"], dossier.record["SoDienThoai"]) == (ERASED_HOLDER, "")
    assert (dossier.record["MaHoSo"], dossier.record["TrangThaiHoSo"]) == (life.code, "2")
    # The erasure alone sends the portal nothing: the record kept is the one it compares.
    assert dossier.record_digest == digest(dossier.record)
    assert (remembered.reason, remembered.erased_at) == ("request", at(9, 9))
    assert (applicants.recorded, applicants.erased) == ({}, {life.code})
    assert queue.revision == dossier.revision


async def test_a_record_read_again_after_the_erasure_stores_nothing(portal_sessions, life: Life):
    first = life.recorded()
    await apply(portal_sessions, [recorded(first)])
    await apply(portal_sessions, erasures=[erasure(life.erased(at(9, 9), "retention"))])
    async with portal_sessions() as session:
        revision = (
            await session.execute(select(DOSSIERS.c.revision).where(DOSSIERS.c.code == life.code))
        ).scalar_one()

    again = await apply(portal_sessions, [recorded(first)], now=at(10, 9))
    newer = await apply(portal_sessions, [recorded(life.recorded(at(10, 9)))], now=at(10, 9))

    assert again == newer == []
    async with portal_sessions() as session:
        assert (await session.execute(select(func.count()).select_from(APPLICANTS))).scalar() == 0
        assert (
            await session.execute(select(DOSSIERS.c.revision).where(DOSSIERS.c.code == life.code))
        ).scalar_one() == revision


async def test_a_record_and_its_erasure_in_one_batch_keep_nothing(portal_sessions, life: Life):
    queued = await apply(
        portal_sessions, [recorded(life.recorded())], [erasure(life.erased(at(2, 10)))]
    )

    assert queued == [life.code]
    assert await kept_applicant(portal_sessions, life.code) is None


def _fields(one: NewFact) -> dict:
    return {name: getattr(one, name) for name in NewFact.__dataclass_fields__}


async def test_the_migration_moves_stored_applicants_out_of_the_events(fresh_database_url):
    life = Life()
    engine = create_engine(DatabaseSettings(url=fresh_database_url, pool_size=1))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))

    def upgrade(conn, target: str) -> None:
        config.attributes["connection"] = conn
        command.upgrade(config, target)

    reception = fact(life.received())
    data = {**reception.data, "applicant": recorded(life.recorded()).applicant}
    data.pop("applicant_kind")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade, "0003")
            await conn.execute(
                text(
                    "INSERT INTO portal_events"
                    " (event_id, dossier_code, event_type, occurred_at, recorded_at, data)"
                    " VALUES (:id, :code, 'dossier.received', :at, :at, CAST(:data AS jsonb))"
                ),
                {"id": reception.event_id, "code": life.code, "at": T0, "data": json.dumps(data)},
            )
            await conn.run_sync(upgrade, "head")
            moved = (
                await conn.execute(select(APPLICANTS).where(APPLICANTS.c.code == life.code))
            ).one()
            stored = (
                await conn.execute(select(EVENTS.c.data).where(EVENTS.c.dossier_code == life.code))
            ).scalar_one()
    finally:
        await engine.dispose()

    assert moved.applicant["name"] == "Nguyễn Văn A"
    assert (moved.proxy, moved.event_id, moved.occurred_at) == (None, reception.event_id, T0)
    assert "applicant" not in stored and stored["applicant_kind"] == "citizen"
