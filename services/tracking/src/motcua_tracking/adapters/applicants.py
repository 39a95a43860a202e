"""The look-up's phone digest per dossier in PostgreSQL, or the erasure that replaced it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_tracking.adapters.tables import APPLICANT_DIGESTS

__all__ = ["ApplicantDigest", "keep_digests", "phone_digest_of"]

_t = APPLICANT_DIGESTS


@dataclass(frozen=True, slots=True)
class ApplicantDigest:
    """What tracking keeps of a dossier's applicant: the digest, or when it was erased."""

    phone_hash: str | None
    erased_at: datetime | None = None


async def keep_digests(session: AsyncSession, digests: Mapping[str, ApplicantDigest]) -> None:
    """Write the digests; an erasure already stored wins over any record, so a re-read
    older `ApplicantRecorded` leaves the dossier erased."""
    if not digests:
        return
    rows = [
        {"dossier_code": code, "phone_hash": d.phone_hash, "erased_at": d.erased_at}
        for code, d in sorted(digests.items())
    ]
    statement = pg_insert(_t).values(rows)
    new = statement.excluded
    still_there = sa.and_(_t.c.erased_at.is_(None), new.erased_at.is_(None))
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[_t.c.dossier_code],
            set_={
                "phone_hash": sa.case((still_there, new.phone_hash), else_=None),
                "erased_at": sa.func.coalesce(_t.c.erased_at, new.erased_at),
            },
        )
    )


async def phone_digest_of(session: AsyncSession, code: str) -> str | None:
    """The stored digest of a dossier's phone; None when unknown, missing or erased."""
    query = sa.select(_t.c.phone_hash).where(_t.c.dossier_code == code)
    return (await session.execute(query)).scalar_one_or_none()
