"""The dossier views notify keeps, written back a batch at a time (real PostgreSQL)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import create_engine, migrate
from motcua.settings import DatabaseSettings
from motcua_notify.adapters.dossier_store import lock_views, save_views
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
