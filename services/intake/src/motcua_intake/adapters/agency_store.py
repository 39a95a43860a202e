"""Agencies in PostgreSQL: their whole administered state, and whether it was published."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_intake.adapters.tables import agencies, api_keys, idempotency_keys, procedures
from motcua_intake.domain.agencies import Agency, AgencyKind, AgencyLevel, OrgUnit
from motcua_intake.domain.procedures import UnitRole

__all__ = [
    "all_agencies",
    "insert_absent",
    "lock_agencies",
    "mark_published",
    "move_competence",
    "move_idempotency_keys",
    "rebind_keys",
    "save",
    "unpublished",
]


def _clock(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def row_of(agency: Agency) -> dict[str, Any]:
    """An agency as a table row (not yet published)."""
    return {
        "code": agency.code,
        "name": agency.name,
        "level": agency.level.value,
        "kind": agency.kind.value,
        "parent": agency.parent,
        "units": [{"code": u.code, "name": u.name, "role": u.role.value} for u in agency.units],
        "procedures": list(agency.procedures),
        "office_hours": [[_clock(start), _clock(end)] for start, end in agency.office_hours],
        "late_cutoff": _clock(agency.late_cutoff),
        "retired_at": agency.retired_at,
        "merged_into": agency.merged_into,
        "merged_on": agency.merged_on,
        "revision": agency.revision,
        "published": False,
    }


def agency_of(row: Any) -> Agency:
    """The agency a stored row holds."""
    return Agency(
        code=row.code,
        name=row.name,
        level=AgencyLevel(row.level),
        kind=AgencyKind(row.kind),
        parent=row.parent,
        units=tuple(OrgUnit(u["code"], u["name"], UnitRole(u["role"])) for u in row.units),
        procedures=tuple(row.procedures),
        office_hours=tuple(
            (time.fromisoformat(start), time.fromisoformat(end)) for start, end in row.office_hours
        ),
        late_cutoff=None if row.late_cutoff is None else time.fromisoformat(row.late_cutoff),
        retired_at=row.retired_at,
        merged_into=row.merged_into,
        merged_on=row.merged_on,
        revision=row.revision,
    )


async def insert_absent(conn: AsyncConnection, rows: Sequence[Agency]) -> None:
    """Insert agencies whose code is not stored yet (the seed's first start)."""
    if rows:
        values = [row_of(agency) for agency in rows]
        await conn.execute(pg_insert(agencies).values(values).on_conflict_do_nothing())


async def all_agencies(conn: AsyncConnection) -> list[Agency]:
    """Every agency, retired ones included, by code."""
    result = await conn.execute(sa.select(agencies).order_by(agencies.c.code))
    return [agency_of(row) for row in result]


async def unpublished(conn: AsyncConnection) -> list[Agency]:
    """Agencies whose current state was never published, locked, by code."""
    query = (
        sa.select(agencies)
        .where(agencies.c.published.is_(False))
        .order_by(agencies.c.code)
        .with_for_update()
    )
    return [agency_of(row) for row in await conn.execute(query)]


async def mark_published(conn: AsyncConnection, codes: Collection[str]) -> None:
    """Record that these agencies' current states were staged for publishing."""
    if codes:
        await conn.execute(
            agencies.update().where(agencies.c.code.in_(list(codes))).values(published=True)
        )


async def lock_agencies(conn: AsyncConnection, codes: Collection[str]) -> dict[str, Agency]:
    """The stored agencies among `codes`, locked in code order until the transaction ends."""
    query = (
        sa.select(agencies)
        .where(agencies.c.code.in_(sorted(codes)))
        .order_by(agencies.c.code)
        .with_for_update()
    )
    return {row.code: agency_of(row) for row in await conn.execute(query)}


async def save(conn: AsyncConnection, changed: Sequence[Agency]) -> None:
    """Create or replace agencies; their states are marked published (staged alongside)."""
    for agency in changed:
        row = {**row_of(agency), "published": True}
        statement = pg_insert(agencies).values(row)
        updates = {k: statement.excluded[k] for k in row if k != "code"}
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[agencies.c.code], set_={**updates, "updated_at": sa.func.now()}
            )
        )


async def rebind_keys(conn: AsyncConnection, absorbed: str, absorber: str) -> int:
    """Bind the absorbed agency's API keys to the absorbing one; returns how many."""
    result = await conn.execute(
        api_keys.update().where(api_keys.c.agency_code == absorbed).values(agency_code=absorber)
    )
    return int(result.rowcount or 0)


async def move_idempotency_keys(conn: AsyncConnection, absorbed: str, absorber: str) -> int:
    """File the absorbed agency's used idempotency keys under the absorbing one, so a
    request retried after the merge (its API key now the absorber's) is recognised; a
    key the absorber used too stays where it was. Returns how many moved."""
    theirs = sa.select(idempotency_keys.c.key).where(idempotency_keys.c.scope == absorber)
    result = await conn.execute(
        idempotency_keys.update()
        .where(idempotency_keys.c.scope == absorbed, idempotency_keys.c.key.not_in(theirs))
        .values(scope=absorber)
    )
    return int(result.rowcount or 0)


async def move_competence(conn: AsyncConnection, absorbed: str) -> list[str]:
    """Codes of the procedures whose competent agency is `absorbed`, locked."""
    query = (
        sa.select(procedures.c.code)
        .where(procedures.c.competent_agency == absorbed)
        .order_by(procedures.c.code)
        .with_for_update()
    )
    return list((await conn.execute(query)).scalars())
