"""The units directory in PostgreSQL, and its seed file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib.resources import files
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_notify.adapters.tables import directory_units
from motcua_notify.domain.directory import UnitContact
from motcua_notify.domain.messages import Channel

__all__ = ["get_unit", "load_units", "put_unit", "seed_units", "shipped_units"]

_t = directory_units


def shipped_units() -> list[UnitContact]:
    """The demo directory shipped in `motcua_notify/seed/directory.json`."""
    raw = files("motcua_notify.seed").joinpath("directory.json").read_text("utf-8")
    return [unit_from_json(entry) for entry in json.loads(raw)["units"]]


def unit_from_json(entry: Mapping[str, Any]) -> UnitContact:
    """A unit from its JSON form (the seed file's and the API's)."""
    return UnitContact(
        code=entry["code"],
        agency_code=entry["agency_code"],
        name=entry["name"],
        role=entry["role"],
        head_name=entry.get("head_name"),
        email=entry.get("email"),
        phone=entry.get("phone"),
        webhook_url=entry.get("webhook_url"),
        channels=frozenset(Channel(c) for c in entry.get("channels", ("email",))),
    )


async def seed_units(session: AsyncSession, units: Iterable[UnitContact]) -> int:
    """Insert the units not in the database yet (edits made through the API are kept)."""
    rows = [_row(unit) for unit in units]
    if not rows:
        return 0
    result = await session.execute(
        pg_insert(_t).values(rows).on_conflict_do_nothing().returning(_t.c.code)
    )
    return len(result.all())


async def load_units(session: AsyncSession) -> list[UnitContact]:
    """Every unit of the directory."""
    return [_unit(row._mapping) for row in await session.execute(sa.select(_t))]


async def get_unit(session: AsyncSession, code: str) -> UnitContact | None:
    """One unit, if present."""
    row = (await session.execute(sa.select(_t).where(_t.c.code == code))).first()
    return _unit(row._mapping) if row else None


async def put_unit(session: AsyncSession, unit: UnitContact) -> bool:
    """Create or replace a unit; True if it was created."""
    values = _row(unit)
    insert = pg_insert(_t).values(values)
    changes = {k: insert.excluded[k] for k in values if k != "code"}
    upsert: Any = insert.on_conflict_do_update(
        index_elements=[_t.c.code], set_={**changes, "updated_at": sa.func.now()}
    ).returning(sa.literal_column("xmax = 0").label("created"))
    return bool((await session.execute(upsert)).scalar_one())


def _row(unit: UnitContact) -> dict[str, Any]:
    return {
        "code": unit.code,
        "agency_code": unit.agency_code,
        "name": unit.name,
        "role": unit.role,
        "head_name": unit.head_name,
        "email": unit.email,
        "phone": unit.phone,
        "webhook_url": unit.webhook_url,
        "channels": sorted(unit.channels),
    }


def _unit(row: RowMapping | Mapping[str, Any]) -> UnitContact:
    return UnitContact(
        code=row["code"],
        agency_code=row["agency_code"],
        name=row["name"],
        role=row["role"],
        head_name=row["head_name"],
        email=row["email"],
        phone=row["phone"],
        webhook_url=row["webhook_url"],
        channels=frozenset(Channel(c) for c in row["channels"]),
    )
