"""Procedure names on the real stack: scoring keeps the names intake's catalogue
publishes, and answers them with the scopes (the dashboard's drill-down, reports)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import scoring_province as province

from motcua.events import Envelope, ProcedureUpdated
from motcua.events.values import ProcedureTerms, ProcessingTime

pytestmark = pytest.mark.infra

BIRTH = "Đăng ký khai sinh"


def procedure(name: str, revision: int) -> Envelope:
    at = province.local(10, 1)
    data = ProcedureUpdated(
        procedure=ProcedureTerms(
            code="P-BIRTH",
            name=name,
            field="civil_status",
            processing_time=ProcessingTime(unit="working_days", amount=Decimal(3)),
        ),
        competent_agency="STP",
        revision=revision,
    )
    return Envelope.wrap(
        data, producer="intake", occurred_at=at, now=at, dossier_code=None, agency_code="STP"
    )


async def test_procedure_scopes_carry_the_newest_name_the_catalogue_published(
    scoring_settings, start_scoring, script, publish, wait_until, topics, scoring_db
):
    settings = await scoring_settings()
    running = await start_scoring(settings)
    province.write(script)
    await script.publish(publish)
    # An older revision arriving after the newer one does not win (both above any revision
    # the script's receptions name: motcua.testing.catalogue).
    newer, older = procedure(BIRTH, 2_100_000_002), procedure("khai sinh (cũ)", 2_100_000_001)
    await publish(topics.procedures, newer)
    await publish(topics.procedures, older)

    async def both_kept() -> bool:
        rows = await scoring_db(
            settings.database.url,
            f"SELECT count(*) FROM processed_events WHERE event_id IN "
            f"('{newer.event_id}', '{older.event_id}')",
        )
        return rows[0][0] == 2

    async def scope_seen() -> bool:
        async with running.client() as client:
            scopes = (await client.get("/v1/scopes", params={"kind": "procedure"})).json()
        return "procedure:P-BIRTH" in scopes["items"]

    await wait_until(both_kept, what="both revisions consumed")
    await wait_until(scope_seen, what="the procedure's dossiers absorbed")
    async with running.client() as client:
        scopes = (await client.get("/v1/scopes", params={"kind": "procedure"})).json()
    assert scopes["names"]["procedure:P-BIRTH"] == BIRTH
