"""The look-up's phone digest per dossier in PostgreSQL, or the erasure that replaced it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_tracking.adapters.tables import APPLICANT_DIGESTS

__all__ = ["ApplicantDigest", "keep_digests", "phone_digest_of"]

_t = APPLICANT_DIGESTS


@dataclass(frozen=True, slots=True)
class ApplicantDigest:
    """What tracking keeps of a dossier's applicant: the digest, or when it was erased."""

    phone_hash: str | None
    erased_at: datetime | None = None


# One statement whatever the batch's size (prepared once, not compiled per batch). An
# erasure already stored wins over any record, and an erasure clears the digest.
_KEEP = sa.text(
    f"""
    INSERT INTO {_t.name} AS kept (dossier_code, phone_hash, erased_at)
    SELECT * FROM unnest(
        CAST(:codes AS text[]), CAST(:hashes AS text[]), CAST(:erased AS timestamptz[])
    )
    ON CONFLICT (dossier_code) DO UPDATE SET
        phone_hash = CASE WHEN kept.erased_at IS NULL AND excluded.erased_at IS NULL
            THEN excluded.phone_hash END,
        erased_at = coalesce(kept.erased_at, excluded.erased_at)
    """
)


async def keep_digests(session: AsyncSession, digests: Mapping[str, ApplicantDigest]) -> None:
    """Write the digests; an erasure already stored wins over any record, so a re-read
    older `ApplicantRecorded` leaves the dossier erased."""
    if not digests:
        return
    codes = sorted(digests)
    await session.execute(
        _KEEP,
        {
            "codes": codes,
            "hashes": [digests[code].phone_hash for code in codes],
            "erased": [digests[code].erased_at for code in codes],
        },
    )


async def phone_digest_of(session: AsyncSession, code: str) -> str | None:
    """The stored digest of a dossier's phone; None when unknown, missing or erased."""
    query = sa.select(_t.c.phone_hash).where(_t.c.dossier_code == code)
    return (await session.execute(query)).scalar_one_or_none()
