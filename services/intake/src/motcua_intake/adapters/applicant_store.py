"""SQL of applicant records and their erasure (tables `applicants`, `erasures`, `outbox`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = [
    "Kept",
    "audit",
    "codes_of_person",
    "erasure_log",
    "expired",
    "lock_kept",
    "mark_erased",
]


@dataclass(frozen=True, slots=True)
class Kept:
    """A dossier whose applicant record is still kept (or, with `erased_at`, is not)."""

    dossier_code: str
    agency_code: str
    erased_at: datetime | None = None


async def lock_kept(conn: AsyncConnection, codes: Collection[str]) -> list[Kept]:
    """The applicant rows of these dossiers, locked; a dossier received before intake kept
    applicant rows gets one first, so its consumers' copies can be erased too."""
    await conn.execute(
        text(
            "INSERT INTO applicants (dossier_code, agency_code, recorded_at) "
            "SELECT code, agency_code, received_at FROM dossiers WHERE code = ANY(:codes) "
            "ON CONFLICT (dossier_code) DO NOTHING"
        ),
        {"codes": list(codes)},
    )
    rows = await conn.execute(
        text(
            "SELECT dossier_code, agency_code, erased_at FROM applicants "
            "WHERE dossier_code = ANY(:codes) ORDER BY dossier_code FOR UPDATE"
        ),
        {"codes": list(codes)},
    )
    return [Kept(*row) for row in rows]


async def codes_of_person(conn: AsyncConnection, digest: bytes) -> list[str]:
    """The dossiers whose kept applicant has this identity-number digest."""
    rows = await conn.execute(
        text(
            "SELECT dossier_code FROM applicants WHERE id_digest = :digest "
            "AND erased_at IS NULL ORDER BY dossier_code"
        ),
        {"digest": digest},
    )
    return [row[0] for row in rows]


async def expired(
    conn: AsyncConnection, closed: Collection[int], cutoff: datetime, limit: int
) -> list[Kept]:
    """Kept applicants of closed dossiers whose last event happened before `cutoff`,
    locked (rows another sweep holds are skipped)."""
    rows = await conn.execute(
        text(
            "SELECT a.dossier_code, a.agency_code FROM applicants a "
            "JOIN dossiers d ON d.code = a.dossier_code "
            "WHERE a.erased_at IS NULL AND d.status = ANY(:closed) "
            "AND (SELECT max(e.occurred_at) FROM dossier_events e "
            "     WHERE e.dossier_code = a.dossier_code) < :cutoff "
            "ORDER BY a.dossier_code LIMIT :limit FOR UPDATE OF a SKIP LOCKED"
        ),
        {"closed": sorted(closed), "cutoff": cutoff, "limit": limit},
    )
    return [Kept(*row) for row in rows]


async def mark_erased(
    conn: AsyncConnection, codes: Sequence[str], topic: str, now: datetime
) -> None:
    """Forget the digests and drop the applicant records still owed to Kafka, before the
    erasure itself is staged."""
    await conn.execute(
        text(
            "UPDATE applicants SET erased_at = :now, id_digest = NULL "
            "WHERE dossier_code = ANY(:codes)"
        ),
        {"codes": list(codes), "now": now},
    )
    await conn.execute(
        text("DELETE FROM outbox WHERE topic = :topic AND key = ANY(:codes)"),
        {"codes": list(codes), "topic": topic},
    )


async def audit(
    conn: AsyncConnection,
    codes: Sequence[str],
    reason: str,
    note: str | None,
    requested_by: str | None,
    now: datetime,
) -> None:
    """One audit row per erased dossier (no personal data: a code, why, who, when)."""
    await conn.execute(
        text(
            "INSERT INTO erasures (dossier_code, reason, note, requested_by, erased_at) "
            "SELECT code, :reason, :note, :by, :now FROM unnest(CAST(:codes AS text[])) AS code"
        ),
        {"codes": list(codes), "reason": reason, "note": note, "by": requested_by, "now": now},
    )


async def erasure_log(
    conn: AsyncConnection, since: datetime | None, limit: int
) -> list[dict[str, object]]:
    """The audit, newest first."""
    rows = await conn.execute(
        text(
            "SELECT dossier_code, reason, note, requested_by, erased_at FROM erasures "
            "WHERE CAST(:since AS timestamptz) IS NULL OR erased_at >= :since "
            "ORDER BY erased_at DESC, id DESC LIMIT :limit"
        ),
        {"since": since, "limit": limit},
    )
    return [dict(row._mapping) for row in rows]
