"""Dossier facts rows: locked for the batch that updates them, then written back.

Tracking's warnings and their withdrawals are facts like any other (counted, and
replayed in any order); the `alerts` column of rows written before is no longer read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.db import json_text
from motcua_scoring.adapters.facts_json import facts_from_json, facts_to_json
from motcua_scoring.domain import DossierFacts

__all__ = ["StoredDossier", "lock_dossiers", "read_facts", "save_dossiers"]

_PLACEHOLDERS = sa.text(
    "INSERT INTO dossier_facts (code) SELECT unnest(CAST(:codes AS text[])) AS code"
    " ORDER BY code ON CONFLICT (code) DO NOTHING"
)
_LOCK = sa.text(
    "SELECT code, facts::text AS facts FROM dossier_facts"
    " WHERE code = ANY(CAST(:codes AS text[])) ORDER BY code FOR UPDATE"
)
_READ = sa.text(
    "SELECT facts::text AS facts FROM dossier_facts"
    " WHERE code = ANY(CAST(:codes AS text[])) AND facts IS NOT NULL ORDER BY code"
)
_SAVE = sa.text(
    "UPDATE dossier_facts AS d SET facts = CAST(v.facts AS jsonb), updated_at = now()"
    " FROM unnest(CAST(:codes AS text[]), CAST(:facts AS text[])) AS v(code, facts)"
    " WHERE d.code = v.code"
)


@dataclass
class StoredDossier:
    """A dossier's row: its facts (None before any countable update)."""

    code: str
    facts: DossierFacts | None = None


async def lock_dossiers(conn: AsyncConnection, codes: Collection[str]) -> dict[str, StoredDossier]:
    """The rows of `codes`, created when missing and locked until the transaction ends.

    Rows are created and locked in code order, so concurrent batches over the same
    dossiers wait for each other instead of deadlocking or losing an update.
    """
    ordered = sorted(codes)
    await conn.execute(_PLACEHOLDERS, {"codes": ordered})
    result = await conn.execute(_LOCK, {"codes": ordered})
    stored = {}
    for row in result:
        facts = facts_from_json(orjson.loads(row.facts)) if row.facts else None
        stored[row.code] = StoredDossier(row.code, facts)
    return stored


async def read_facts(conn: AsyncConnection, codes: Collection[str]) -> list[DossierFacts]:
    """The facts of `codes` (without locking them)."""
    if not codes:
        return []
    result = await conn.execute(_READ, {"codes": sorted(codes)})
    return [facts_from_json(orjson.loads(row.facts)) for row in result]


async def save_dossiers(conn: AsyncConnection, dossiers: Mapping[str, StoredDossier]) -> None:
    """Write back the facts of locked rows."""
    if not dossiers:
        return
    codes = sorted(dossiers)
    facts = [_dump(dossiers[c].facts) for c in codes]
    await conn.execute(_SAVE, {"codes": codes, "facts": facts})


def _dump(facts: DossierFacts | None) -> str | None:
    return None if facts is None else json_text(facts_to_json(facts))
