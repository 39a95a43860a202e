"""Applicants' personal data: erasure on request and at the end of retention.

Intake publishes each applicant once, as `ApplicantRecorded` on the compacted applicants'
topic, and keeps only a keyed digest of the identity number. Erasing a dossier's
applicant (an administrator on the citizen's request, or the retention job) forgets the
digest, drops the outbox copies, audits it, and publishes `ApplicantErased`: the
consumers delete their copies and compaction removes the older record from the topic.
See docs/privacy.md.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.clock import VIETNAM, Clock
from motcua.events import ApplicantErased, Envelope
from motcua.http import Paragraph
from motcua.lifecycle import CLOSED_STATUSES
from motcua.messaging import stage
from motcua_intake.adapters import applicant_store
from motcua_intake.adapters.applicant_store import Kept
from motcua_intake.adapters.metrics import APPLICANTS_ERASED
from motcua_intake.domain.privacy import id_digest, retention_cutoff
from motcua_intake.service.access import Principal
from motcua_intake.service.catalogue import PRODUCER
from motcua_intake.service.errors import Rejection
from motcua_intake.settings import PrivacySettings

__all__ = ["ErasureBody", "PersonErasureBody", "PrivacyService"]

log = logging.getLogger(__name__)
Reason = Literal["retention", "request"]
_CLOSED = frozenset(int(status) for status in CLOSED_STATUSES)


class ErasureBody(BaseModel):
    """Why a dossier's applicant is erased (kept in the audit: write no personal data)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "Đơn đề nghị xoá dữ liệu số 12/2026"}]},
    )

    note: Paragraph = Field(min_length=1, max_length=500)


class PersonErasureBody(ErasureBody):
    """A person's erasure request: every dossier whose applicant has this identity number."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "citizen", "id_number": "025090000123", "note": "Đơn số 12/2026"}]
        },
    )

    kind: Literal["citizen", "organisation"] = "citizen"
    id_number: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")


class PrivacyService:
    """Erases applicants' personal data and runs the retention job."""

    def __init__(
        self, engine: AsyncEngine, clock: Clock, settings: PrivacySettings, topic: str
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._settings = settings
        self._topic = topic

    async def erase(self, code: str, body: ErasureBody, caller: Principal) -> dict[str, object]:
        """Erase one dossier's applicant; a second request answers the first erasure."""
        async with self._engine.begin() as conn:
            kept = await applicant_store.lock_kept(conn, [code])
            if not kept or (caller.agency is not None and kept[0].agency_code != caller.agency):
                raise Rejection("not_found", "dossier_not_found", f"dossier {code!r} is unknown")
            (row,) = kept
            if row.erased_at is not None:
                return _answer(code, row.erased_at, erased_now=False)
            now = await self._erase(conn, [row], "request", body.note, caller.key_prefix)
        return _answer(code, now, erased_now=True)

    async def erase_person(self, body: PersonErasureBody, caller: Principal) -> dict[str, object]:
        """Erase every kept applicant record of one person (matched by keyed digest)."""
        pepper = self._settings.id_pepper.get_secret_value().encode()
        digest = id_digest(pepper, body.kind, body.id_number)
        async with self._engine.begin() as conn:
            codes = await applicant_store.codes_of_person(conn, digest)
            rows = [
                row
                for row in await applicant_store.lock_kept(conn, codes)
                if row.erased_at is None
                and (caller.agency is None or row.agency_code == caller.agency)
            ]
            now = await self._erase(conn, rows, "request", body.note, caller.key_prefix)
        return {"dossier_codes": [row.dossier_code for row in rows], "erased_at": _local(now)}

    async def erasures(self, since: datetime | None, limit: int) -> list[dict[str, object]]:
        """The audit of erasures, newest first."""
        async with self._engine.connect() as conn:
            rows = await applicant_store.erasure_log(conn, since, limit)
        return [{**row, "erased_at": _local(row["erased_at"])} for row in rows]

    async def sweep(self) -> float:
        """One pass of the retention job: erase, batch after batch, every applicant of a
        closed dossier whose last event is older than the retention; returns the pause."""
        while True:
            now = self._clock.now()
            cutoff = retention_cutoff(now, self._settings.retention_days)
            async with self._engine.begin() as conn:
                rows = await applicant_store.expired(
                    conn, _CLOSED, cutoff, self._settings.sweep_batch
                )
                await self._erase(conn, rows, "retention", None, None)
            if len(rows) < self._settings.sweep_batch:
                return self._settings.sweep_seconds

    async def _erase(
        self,
        conn: AsyncConnection,
        rows: list[Kept],
        reason: Reason,
        note: str | None,
        requested_by: str | None,
    ) -> datetime:
        now = self._clock.now()
        if not rows:
            return now
        codes = [row.dossier_code for row in rows]
        await applicant_store.mark_erased(conn, codes, self._topic, now)
        await applicant_store.audit(conn, codes, reason, note, requested_by, now)
        envelopes = [
            Envelope.wrap(
                ApplicantErased(reason=reason),
                producer=PRODUCER,
                occurred_at=now,
                now=now,
                dossier_code=row.dossier_code,
                agency_code=row.agency_code,
            )
            for row in rows
        ]
        await stage(conn, *envelopes, topic=self._topic)
        APPLICANTS_ERASED.labels(reason).inc(len(rows))
        log.info("applicants erased", extra={"count": len(rows), "reason": reason})
        return now


def _answer(code: str, erased_at: datetime, *, erased_now: bool) -> dict[str, object]:
    return {"dossier_code": code, "erased_at": _local(erased_at), "erased_now": erased_now}


def _local(instant: object) -> str:
    """An instant as answered everywhere: in Vietnam's time (+07:00)."""
    assert isinstance(instant, datetime)
    return instant.astimezone(VIETNAM).isoformat()
