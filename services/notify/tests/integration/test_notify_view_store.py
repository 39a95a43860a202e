"""The dossier views notify keeps, written back a batch at a time, and the gauges read
from its tables (real PostgreSQL)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import create_engine, migrate
from motcua.settings import DatabaseSettings
from motcua.testing.database import plans_without_scans
from motcua_notify.adapters.dossier_store import lock_views, parked_count, save_views
from motcua_notify.adapters.notification_store import queue_stats
from motcua_notify.app import MIGRATIONS
from motcua_notify.domain.dossiers import Citizen, DossierView, FactKind
from motcua_notify.domain.messages import Channel

pytestmark = pytest.mark.infra
AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def _full(code: str) -> DossierView:
    return DossierView(
        code=code,
        agency_code="000.00.01.H01",
        receiving_unit="MC-01",
        holding_unit="PHONG-TNMT",
        procedure_name="Cấp giấy phép xây dựng",
        citizen=Citizen(
            name="Nguyễn Văn A",
            phone="+84901234567",
            email="a@example.vn",
            consents=frozenset({Channel.SMS, Channel.EMAIL}),
        ),
        collection_place="Bộ phận một cửa",
        received_at=AT,
        received_event_id="e-received",
        appointment_at=AT.replace(day=9),
        due_at=AT.replace(day=9),
        step_names={"1": "Thẩm định"},
        step_dues={"1": AT.replace(day=5)},
        current_step="1",
        overdue=True,
        closed_at=AT.replace(day=10),
        receipt_event_id="e-receipt",
        parked=("e-parked",),
        overdue_alert_id="e-alert",
        cleared_due_at=AT.replace(day=4),
        fact_times=dict.fromkeys(FactKind, AT),
        erased_at=None,
    )


async def test_views_saved_in_one_batch_read_back_field_for_field(fresh_database_url):
    engine = create_engine(DatabaseSettings(url=fresh_database_url, pool_size=2))
    try:
        await migrate(engine, MIGRATIONS)
        codes = ["H01.2-260302-0002", "H01.2-260302-0001", "H01.2-260302-0003"]
        async with AsyncSession(engine) as session, session.begin():
            created = await lock_views(session, codes)
            assert created == {code: DossierView(code=code) for code in codes}
            full = _full(codes[0])
            bare = replace(_full(codes[1]), citizen=None, step_names={}, parked=())
            await save_views(session, [full, bare])

        async with AsyncSession(engine) as session, session.begin():
            views = await lock_views(session, codes)
        assert views == {codes[0]: full, codes[1]: bare, codes[2]: DossierView(code=codes[2])}
    finally:
        await engine.dispose()


async def test_the_housekeeping_gauges_read_only_the_rows_they_count(fresh_database_url):
    """Pending messages and dossiers waiting for contacts are counted every few seconds:
    each count goes through an index of what it counts, never through every row kept."""
    engine = create_engine(DatabaseSettings(url=fresh_database_url, pool_size=2))
    try:
        await migrate(engine, MIGRATIONS)

        async def gauges() -> None:
            async with AsyncSession(engine) as session, session.begin():
                await queue_stats(session, AT)
                await parked_count(session)

        plans = await plans_without_scans(engine, gauges)
        assert len(plans) == 3
        assert all("Seq Scan" not in plan for plan in plans), plans
        assert "notifications_due" in plans[0]
        assert "notifications_leased" in plans[1]
        assert "dossiers_waiting" in plans[2]
    finally:
        await engine.dispose()
