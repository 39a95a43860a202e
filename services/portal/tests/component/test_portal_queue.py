"""The durable sync queue on PostgreSQL: the frozen schema, coalescing, leases, backoff
kept, held and dead dossiers."""

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from portal_life import Life, at
from sqlalchemy import select

from motcua.events import Envelope
from motcua.testing.catalogue import procedures_named
from motcua_portal.adapters.operator_store import OperatorStore
from motcua_portal.adapters.store import NewFact, SyncStore
from motcua_portal.adapters.tables import DOSSIERS, QUEUE, metadata
from motcua_portal.service.ingest import fact_data

pytestmark = pytest.mark.infra
T0 = at(2, 9)


def new(envelope: Envelope, arrived=None) -> NewFact:
    return NewFact(
        envelope.event_id,
        envelope.dossier_code or "",
        envelope.agency_code,
        envelope.event_type,
        envelope.occurred_at,
        arrived or envelope.recorded_at,
        fact_data(envelope.data, procedures_named([envelope])),
    )


async def keep(sessions, *facts: NewFact, now=T0) -> list[str]:
    async with sessions() as session, session.begin():
        return await SyncStore(session).keep(list(facts), now)


async def queued(sessions, code: str):
    async with sessions() as session:
        return (await session.execute(select(QUEUE).where(QUEUE.c.code == code))).one()


async def out_of_sync(sessions) -> int:
    async with sessions() as session:
        return (await OperatorStore(session).gauges()).out_of_sync


async def claim(sessions, now, limit=10):
    async with sessions() as session, session.begin():
        return await SyncStore(session).claim(now, now + timedelta(minutes=2), limit)


def _portal_tables(name, kind, parent) -> bool:
    return kind != "table" or str(name).startswith("portal_")


async def test_the_migrated_schema_is_the_one_the_code_uses(portal_engine):
    options = {"include_name": _portal_tables, "compare_server_default": True}
    async with portal_engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts=options), metadata)
        )

    assert differences == []


async def test_many_events_of_a_dossier_coalesce_into_one_queue_row(portal_sessions, life: Life):
    received, deadline, moved, again = life.short()
    await keep(portal_sessions, new(received, at(2, 9, 1)), now=at(2, 9, 1))
    await keep(portal_sessions, new(deadline, at(2, 9, 2)), now=at(2, 9, 2))
    assert await keep(portal_sessions, new(moved), new(again), now=at(3, 10, 5)) == [life.code]

    row = await queued(portal_sessions, life.code)
    assert (row.revision, row.state, row.attempts) == (4, "pending", 0)
    # Pending since the oldest change not acknowledged, due since the first.
    assert (row.pending_since, row.due_at) == (at(2, 9, 1), at(2, 9, 1))
    claims = await claim(portal_sessions, at(3, 11))
    assert [(c.code, c.revision) for c in claims] == [(life.code, 4)]


async def test_an_event_kept_twice_changes_nothing(portal_sessions, life: Life):
    received = new(life.received())
    await keep(portal_sessions, received)

    assert await keep(portal_sessions, received) == []
    assert (await queued(portal_sessions, life.code)).revision == 1


async def test_a_dossier_taken_by_a_pass_is_not_taken_by_another(portal_sessions, life: Life):
    await keep(portal_sessions, *(new(e) for e in life.short()))

    first = await claim(portal_sessions, at(3, 11))
    second = await claim(portal_sessions, at(3, 11, 1))
    after_the_lease = await claim(portal_sessions, at(3, 11, 3))

    assert [c.code for c in first] == [life.code]
    assert second == []
    assert [c.code for c in after_the_lease] == [life.code]


async def test_acknowledging_an_older_revision_leaves_the_newer_one_queued(
    portal_sessions, life: Life
):
    received, deadline, moved, _ = life.short()
    assert await out_of_sync(portal_sessions) == 0
    await keep(portal_sessions, new(received), new(deadline))
    (taken,) = await claim(portal_sessions, at(2, 10))
    await keep(portal_sessions, new(moved), now=at(2, 11))

    async with portal_sessions() as session, session.begin():
        newer = await SyncStore(session).acknowledged(taken, at(2, 11, 1), None, None, [], "{}")

    assert newer
    assert await out_of_sync(portal_sessions) == 1
    row = await queued(portal_sessions, life.code)
    assert (row.revision, row.leased_until, row.due_at) == (3, None, at(2, 11, 1))
    (retaken,) = await claim(portal_sessions, at(2, 11, 2))
    async with portal_sessions() as session, session.begin():
        assert not await SyncStore(session).acknowledged(
            retaken, at(2, 11, 3), None, None, [], "{}"
        )
        dossier = (
            await session.execute(select(DOSSIERS).where(DOSSIERS.c.code == life.code))
        ).one()
        assert (
            await session.execute(select(QUEUE).where(QUEUE.c.code == life.code))
        ).first() is None
    assert (dossier.revision, dossier.synced_revision, dossier.on_portal) == (3, 3, True)
    assert await out_of_sync(portal_sessions) == 0


async def test_a_dossier_backing_off_keeps_its_pause_when_new_events_come(
    portal_sessions, life: Life
):
    received, deadline, moved, _ = life.short()
    await keep(portal_sessions, new(received), new(deadline))
    (taken,) = await claim(portal_sessions, at(2, 10))
    async with portal_sessions() as session, session.begin():
        await SyncStore(session).failed(
            taken, due_at=at(2, 10, 30), now=at(2, 10), code="-2", reply="từ chối", dead=False
        )

    await keep(portal_sessions, new(moved), now=at(2, 11))

    row = await queued(portal_sessions, life.code)
    assert (row.revision, row.attempts, row.due_at, row.last_code) == (3, 1, at(2, 10, 30), "-2")


async def test_a_held_dossier_is_looked_at_again_and_a_dead_one_waits(portal_sessions):
    held, dead = Life(), Life()
    for one in (held, dead):
        await keep(portal_sessions, new(one.deadline_set()))
    taken = {c.code: c for c in await claim(portal_sessions, at(2, 10))}
    async with portal_sessions() as session, session.begin():
        store = SyncStore(session)
        await store.hold([(taken[held.code], "awaiting_reception")])
        await store.failed(
            taken[dead.code], due_at=at(2, 11), now=at(2, 10), code="-2", reply="x", dead=True
        )

    await keep(portal_sessions, new(held.received()), new(dead.received()), now=at(2, 12))

    assert (await queued(portal_sessions, held.code)).state == "pending"
    gone = await queued(portal_sessions, dead.code)
    assert (gone.state, gone.revision) == ("dead", 2)
    async with portal_sessions() as session:
        assert await SyncStore(session).dead() == [dead.code]


async def test_a_pass_holds_its_claims_with_their_reasons_unless_they_changed_meanwhile(
    portal_sessions,
):
    waiting, unmapped, changed = Life(), Life(), Life()
    for one in (waiting, unmapped, changed):
        await keep(portal_sessions, new(one.deadline_set()))
    taken = {c.code: c for c in await claim(portal_sessions, at(2, 10))}
    await keep(portal_sessions, new(changed.received()), now=at(2, 10, 1))

    async with portal_sessions() as session, session.begin():
        await SyncStore(session).hold(
            [
                (taken[unmapped.code], "procedure_unmapped"),
                (taken[changed.code], "awaiting_reception"),
                (taken[waiting.code], "awaiting_reception"),
            ]
        )

    rows = {
        one.code: await queued(portal_sessions, one.code) for one in (waiting, unmapped, changed)
    }
    assert {code: (r.state, r.reason, r.leased_until) for code, r in rows.items()} == {
        waiting.code: ("held", "awaiting_reception", None),
        unmapped.code: ("held", "procedure_unmapped", None),
        changed.code: ("pending", None, None),
    }
    assert [c.code for c in await claim(portal_sessions, at(2, 11))] == [changed.code]
