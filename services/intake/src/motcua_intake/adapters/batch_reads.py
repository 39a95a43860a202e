"""Everything a batch of commands needs to know first, in one statement (one round trip):
which idempotency keys are used, the state of the dossiers it touches (locked, in code
order) and the current revision of the procedures it registers dossiers for.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.vocabulary import DossierStatus
from motcua_intake.domain.planning import DossierState

__all__ = ["BatchState", "read_batch"]

_STATEMENT = """
WITH locked AS (
    SELECT code, agency_code, status, received_at FROM dossiers
    WHERE code = ANY($3::text[]) ORDER BY code FOR UPDATE
)
SELECT 'key' AS kind, scope AS name, key AS other, request_hash AS digest,
       status_code AS number, NULL::timestamptz AS moment
FROM idempotency_keys WHERE (scope, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
UNION ALL
SELECT 'dossier', code, agency_code, NULL, status, received_at FROM locked
UNION ALL
SELECT 'procedure', code, NULL, NULL, revision, NULL FROM procedures WHERE code = ANY($4::text[])
"""


@dataclass
class BatchState:
    """Used keys (with request hash and status, None while running), dossiers, revisions."""

    keys: dict[tuple[str, str], tuple[bytes, int | None]] = field(default_factory=dict)
    dossiers: dict[str, DossierState] = field(default_factory=dict)
    revisions: dict[str, int] = field(default_factory=dict)


async def read_batch(
    conn: AsyncConnection,
    keys: Collection[tuple[str, str]],
    codes: Collection[str],
    procedures: Collection[str],
) -> BatchState:
    """Read (and lock the dossiers of) what a batch depends on."""
    state = BatchState()
    if not (keys or codes or procedures):
        return state
    ordered = sorted(keys)
    result = await conn.exec_driver_sql(
        _STATEMENT,
        (
            [scope for scope, _ in ordered],
            [key for _, key in ordered],
            sorted(codes),
            list(procedures),
        ),
    )
    for row in result:
        if row.kind == "key":
            state.keys[(row.name, row.other)] = (row.digest, row.number)
        elif row.kind == "dossier":
            state.dossiers[row.name] = _dossier(row.name, row.other, row.number, row.moment)
        else:
            state.revisions[row.name] = row.number
    return state


def _dossier(code: str, agency: str, status: int, received_at: datetime) -> DossierState:
    return DossierState(code, agency, DossierStatus(status), received_at)
