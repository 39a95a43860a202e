"""Reading and writing the portal service's tables (inside the caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Text,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import among, json_text
from motcua_portal.adapters.tables import (
    APPLICANTS,
    DOSSIERS,
    ERASURES,
    EVENTS,
    PROCEDURE_MAP,
    PROGRESS,
    QUEUE,
    UNIT_MAP,
)
from motcua_portal.domain import Fact, NationalProcedure, digest, without_applicant

__all__ = [
    "Acknowledged",
    "Applicants",
    "Claim",
    "NewApplicant",
    "NewErasure",
    "NewFact",
    "SyncStore",
    "blank_records",
]


@dataclass(frozen=True, slots=True)
class NewFact:
    """An event to keep for a dossier."""

    event_id: UUID
    dossier_code: str
    agency_code: str | None
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewApplicant:
    """A dossier's `ApplicantRecorded`: its applicant and proxy as JSON."""

    event_id: UUID
    dossier_code: str
    agency_code: str | None
    occurred_at: datetime
    recorded_at: datetime
    applicant: dict[str, Any]
    proxy: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class NewErasure:
    """A dossier's `ApplicantErased`."""

    dossier_code: str
    agency_code: str | None
    reason: str
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Applicants:
    """What a pass knows of its dossiers' applicants: the recorded ones (applicant JSON)
    and the erased ones; a dossier in neither has no record yet."""

    recorded: dict[str, dict[str, Any]]
    erased: set[str]


@dataclass(frozen=True, slots=True)
class Claim:
    """A dossier taken from the queue by a sync pass."""

    code: str
    revision: int
    attempts: int
    force: bool
    pending_since: datetime
    arrived_at: datetime
    """When the oldest change not yet acknowledged arrived (the database's real time)."""
    claimed_at: datetime
    """When the pass took it (the database's real time)."""


@dataclass(frozen=True, slots=True)
class _Bump:
    """What a batch of new facts changes in a dossier's row."""

    code: str
    facts: int
    agency_code: str | None
    received_at: datetime | None
    procedure_code: str | None

    @classmethod
    def of(cls, code: str, facts: list[NewFact]) -> _Bump:
        received = next((f for f in facts if f.event_type == "dossier.received"), None)
        procedure = (received.data.get("procedure") or {}) if received is not None else {}
        return cls(
            code=code,
            facts=len(facts),
            agency_code=next((f.agency_code for f in facts if f.agency_code), None),
            received_at=received.occurred_at if received is not None else None,
            procedure_code=procedure.get("code"),
        )


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """A claimed state the portal acknowledged: the record sent (None: unchanged, not
    sent), the steps sent `(position, key, digest, entry)` and the portal's replies."""

    claim: Claim
    record: dict[str, Any] | None
    record_digest: str | None
    steps: list[tuple[int, str, str, dict[str, Any]]]
    reply: str

    def row(self, now: datetime) -> dict[str, Any]:
        return {
            "b_code": self.claim.code,
            "b_revision": self.claim.revision,
            "b_now": now,
            "b_reply": self.reply[:4000],
            "b_sent": self.record is not None,
            "b_record": None if self.record is None else json_text(self.record),
            "b_digest": self.record_digest,
        }


# Held claims, executemany in code order (the order every writer of the queue takes).
_HOLD = text(
    """
    UPDATE portal_sync_queue SET state = 'held', reason = CAST(:reason AS text),
        leased_until = NULL
    WHERE code = CAST(:code AS text) AND revision = CAST(:revision AS bigint)
    """
)
_RELEASE_NEWER = text(
    """
    UPDATE portal_sync_queue SET leased_until = NULL
    WHERE code = CAST(:code AS text) AND revision <> CAST(:revision AS bigint)
    """
)

# One statement for every acknowledged dossier (executemany, pipelined by the driver, in
# code order); the record is replaced only when one was sent.
_ACKNOWLEDGE = text(
    """
    UPDATE portal_dossiers SET
        synced_revision = greatest(synced_revision, CAST(:b_revision AS bigint)),
        on_portal = true,
        acknowledged_at = CAST(:b_now AS timestamptz),
        created_on_portal_at = coalesce(created_on_portal_at, CAST(:b_now AS timestamptz)),
        last_reply = CAST(:b_reply AS text),
        record = CASE WHEN CAST(:b_sent AS boolean) THEN CAST(:b_record AS jsonb)
                      ELSE record END,
        record_digest = CASE WHEN CAST(:b_sent AS boolean) THEN CAST(:b_digest AS text)
                             ELSE record_digest END
    WHERE code = CAST(:b_code AS text)
    """
)

# A batch of facts in one statement; a fact already kept (a redelivery) is skipped.
_KEEP_EVENTS = text(
    """
    INSERT INTO portal_events
        (event_id, dossier_code, event_type, occurred_at, recorded_at, data)
    SELECT e.event_id, e.dossier_code, e.event_type, e.occurred_at, e.recorded_at,
           e.data::jsonb
    FROM unnest(
        CAST(:ids AS uuid[]), CAST(:codes AS text[]), CAST(:types AS text[]),
        CAST(:occurred AS timestamptz[]), CAST(:recorded AS timestamptz[]),
        CAST(:data AS text[])
    ) AS e(event_id, dossier_code, event_type, occurred_at, recorded_at, data)
    ON CONFLICT DO NOTHING
    RETURNING event_id
    """
).columns(event_id=PG_UUID(as_uuid=True))

# Each dossier's revision grows by its new facts, and its queue row holds the newest
# revision: a held dossier is looked at again, a dead one waits for a redrive, a dossier
# backing off keeps its pause (new events do not hammer the portal). Rows in code order.
_BUMP_AND_QUEUE = text(
    """
    WITH bumped AS (
        INSERT INTO portal_dossiers AS d
            (code, revision, agency_code, received_at, procedure_code)
        SELECT * FROM unnest(
            CAST(:codes AS text[]), CAST(:facts AS bigint[]), CAST(:agencies AS text[]),
            CAST(:received AS timestamptz[]), CAST(:procedures AS text[])
        )
        ON CONFLICT (code) DO UPDATE SET
            revision = d.revision + excluded.revision,
            agency_code = coalesce(excluded.agency_code, d.agency_code),
            received_at = coalesce(excluded.received_at, d.received_at),
            procedure_code = coalesce(excluded.procedure_code, d.procedure_code)
        RETURNING d.code, d.revision
    )
    INSERT INTO portal_sync_queue AS q (code, revision, state, pending_since, due_at)
    SELECT b.code, b.revision, 'pending', p.pending_since, CAST(:now AS timestamptz)
    FROM bumped AS b
    JOIN unnest(CAST(:codes AS text[]), CAST(:pending AS timestamptz[]))
        AS p(code, pending_since) ON p.code = b.code
    ORDER BY b.code
    ON CONFLICT (code) DO UPDATE SET
        revision = excluded.revision,
        state = coalesce(nullif(q.state, 'held'), excluded.state),
        pending_since = least(q.pending_since, excluded.pending_since),
        due_at = CASE WHEN q.attempts = 0 THEN least(q.due_at, excluded.due_at)
                      ELSE q.due_at END
    RETURNING q.code
    """
).columns(code=Text)

# The latest applicant record of each dossier (one row per code in a batch), never one
# of a dossier whose applicant was erased, never older than the one kept.
_KEEP_APPLICANTS = text(
    """
    INSERT INTO portal_applicants AS a
        (code, event_id, occurred_at, recorded_at, applicant, proxy)
    SELECT r.code, r.event_id, r.occurred_at, r.recorded_at, r.applicant::jsonb,
           r.proxy::jsonb
    FROM unnest(
        CAST(:codes AS text[]), CAST(:ids AS uuid[]), CAST(:occurred AS timestamptz[]),
        CAST(:recorded AS timestamptz[]), CAST(:applicants AS text[]),
        CAST(:proxies AS text[])
    ) AS r(code, event_id, occurred_at, recorded_at, applicant, proxy)
    WHERE NOT EXISTS (SELECT 1 FROM portal_erasures AS e WHERE e.code = r.code)
    ORDER BY r.code
    ON CONFLICT (code) DO UPDATE SET
        event_id = excluded.event_id,
        occurred_at = excluded.occurred_at,
        recorded_at = excluded.recorded_at,
        applicant = excluded.applicant,
        proxy = excluded.proxy,
        stored_at = now()
    WHERE (excluded.occurred_at, excluded.recorded_at) >= (a.occurred_at, a.recorded_at)
    RETURNING a.code
    """
).columns(code=Text)

_KEEP_ERASURES = text(
    """
    INSERT INTO portal_erasures (code, reason, erased_at)
    SELECT * FROM unnest(
        CAST(:codes AS text[]), CAST(:reasons AS text[]), CAST(:erased AS timestamptz[])
    )
    ORDER BY 1
    ON CONFLICT (code) DO NOTHING
    """
)

# Events stored before `dossier.received` lost its applicant (or read again from then).
_STRIP_EVENTS = text(
    """
    UPDATE portal_events SET data = data - 'applicant' - 'proxy'
    WHERE dossier_code = ANY(CAST(:codes AS text[]))
      AND (data ? 'applicant' OR data ? 'proxy')
    """
)

# The blanked records of erased dossiers, in one statement whatever their number.
_SCRUB_RECORDS = text(
    """
    UPDATE portal_dossiers AS d SET record = CAST(v.record AS jsonb), record_digest = v.digest
    FROM unnest(CAST(:codes AS text[]), CAST(:records AS text[]), CAST(:digests AS text[]))
        AS v(code, record, digest)
    WHERE d.code = v.code
    """
)

# The steps the portal acknowledged, in one statement whatever their number.
_KEEP_PROGRESS = text(
    """
    INSERT INTO portal_progress AS p (code, step_key, position, digest, entry, sent_at)
    SELECT s.code, s.step_key, s.position, s.digest, s.entry::jsonb, CAST(:now AS timestamptz)
    FROM unnest(
        CAST(:codes AS text[]), CAST(:keys AS text[]), CAST(:positions AS integer[]),
        CAST(:digests AS text[]), CAST(:entries AS text[])
    ) AS s(code, step_key, position, digest, entry)
    ON CONFLICT (code, step_key) DO UPDATE SET
        position = excluded.position,
        digest = excluded.digest,
        entry = excluded.entry,
        sent_at = excluded.sent_at
    """
)


async def blank_records(session: AsyncSession, records: Mapping[str, Mapping[str, Any]]) -> None:
    """Write these dossiers' records (by code) with their digests, in one statement: the
    records sent, once their personal data is blanked."""
    if not records:
        return
    codes = sorted(records)
    blanks = [records[code] for code in codes]
    await session.execute(
        _SCRUB_RECORDS,
        {
            "codes": codes,
            "records": [json_text(blank) for blank in blanks],
            "digests": [digest(blank) for blank in blanks],
        },
    )


class SyncStore:
    """The queries of the sync; every method runs in the session's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- ingestion -------------------------------------------------------------------

    async def keep(self, facts: Sequence[NewFact], now: datetime) -> list[str]:
        """Store new facts, bump their dossiers' revisions and queue them (coalesced: one
        queue row per dossier holding the newest revision). Returns the dossiers queued.

        Two statements whatever the batch's size, each the same text every time (arrays,
        not a VALUES list per row), so the driver prepares them once per connection."""
        if not facts:
            return []
        kept = await self.session.execute(
            _KEEP_EVENTS,
            {
                "ids": [f.event_id for f in facts],
                "codes": [f.dossier_code for f in facts],
                "types": [f.event_type for f in facts],
                "occurred": [f.occurred_at for f in facts],
                "recorded": [f.recorded_at for f in facts],
                "data": [json_text(f.data) for f in facts],
            },
        )
        fresh = set(kept.scalars())
        by_code: dict[str, list[NewFact]] = {}
        for fact in facts:
            if fact.event_id in fresh:
                by_code.setdefault(fact.dossier_code, []).append(fact)
        if not by_code:
            return []
        bumps = [_Bump.of(code, by_code[code]) for code in sorted(by_code)]
        pending = {code: min(f.recorded_at for f in found) for code, found in by_code.items()}
        return await self._bump(bumps, pending, now)

    async def _bump(
        self, bumps: Sequence[_Bump], pending: dict[str, datetime], now: datetime
    ) -> list[str]:
        """Grow the dossiers' revisions and queue them (rows locked in code order)."""
        bumps = sorted(bumps, key=lambda b: b.code)
        queued = await self.session.execute(
            _BUMP_AND_QUEUE,
            {
                "codes": [b.code for b in bumps],
                "facts": [b.facts for b in bumps],
                "agencies": [b.agency_code for b in bumps],
                "received": [b.received_at for b in bumps],
                "procedures": [b.procedure_code for b in bumps],
                "pending": [pending[b.code] for b in bumps],
                "now": now,
            },
        )
        return sorted(queued.scalars())

    async def keep_applicants(
        self,
        records: Sequence[NewApplicant],
        erasures: Sequence[NewErasure],
        now: datetime,
    ) -> list[str]:
        """Keep each dossier's latest applicant record and apply erasures; queue the
        dossiers whose applicant changed (a held one is looked at again). Returns them.

        An erasure deletes the dossier's record and is remembered (no personal data), so a
        record read again later is not kept; it scrubs what else holds personal data: the
        applicant of events stored before it left `dossier.received`, the record last
        sent (its digest follows, so the erasure alone sends the portal nothing: the next
        change of the dossier goes without the personal fields) and the portal's replies.
        A record and an erasure of one dossier in one batch: the erasure wins."""
        erased = {e.dossier_code: e for e in erasures}
        latest: dict[str, NewApplicant] = {}
        for one in records:
            kept = latest.get(one.dossier_code)
            if one.dossier_code not in erased and (
                kept is None
                or (one.occurred_at, one.recorded_at) >= (kept.occurred_at, kept.recorded_at)
            ):
                latest[one.dossier_code] = one
        if erased:
            chosen = [erased[code] for code in sorted(erased)]
            await self.session.execute(
                _KEEP_ERASURES,
                {
                    "codes": [e.dossier_code for e in chosen],
                    "reasons": [e.reason for e in chosen],
                    "erased": [e.occurred_at for e in chosen],
                },
            )
        stored: set[str] = set()
        if latest:
            rows = [latest[code] for code in sorted(latest)]
            kept_rows = await self.session.execute(
                _KEEP_APPLICANTS,
                {
                    "codes": [r.dossier_code for r in rows],
                    "ids": [r.event_id for r in rows],
                    "occurred": [r.occurred_at for r in rows],
                    "recorded": [r.recorded_at for r in rows],
                    "applicants": [json_text(r.applicant) for r in rows],
                    "proxies": [None if r.proxy is None else json_text(r.proxy) for r in rows],
                },
            )
            stored = set(kept_rows.scalars())
        changes: dict[str, NewApplicant | NewErasure] = {
            **{code: latest[code] for code in stored},
            **erased,
        }
        if not changes:
            return []
        bumps = [_Bump(code, 1, c.agency_code, None, None) for code, c in changes.items()]
        pending = {code: c.recorded_at for code, c in changes.items()}
        queued = await self._bump(bumps, pending, now)
        if erased:
            await self._scrub(sorted(erased))
        return queued

    async def _scrub(self, codes: list[str]) -> None:
        """Delete every copy of these dossiers' personal data (their rows are locked
        already, by the bump)."""
        await self.session.execute(delete(APPLICANTS).where(among(APPLICANTS.c.code, codes)))
        await self.session.execute(_STRIP_EVENTS, {"codes": codes})
        sent = await self.session.execute(
            select(DOSSIERS.c.code, DOSSIERS.c.record).where(
                among(DOSSIERS.c.code, codes), DOSSIERS.c.record.is_not(None)
            )
        )
        await blank_records(self.session, {code: without_applicant(p) for code, p in sent})
        await self.session.execute(
            update(DOSSIERS).where(among(DOSSIERS.c.code, codes)).values(last_reply=None)
        )
        await self.session.execute(
            update(QUEUE).where(among(QUEUE.c.code, codes)).values(last_reply=None)
        )

    async def keep_procedures(self, names: dict[str, str]) -> None:
        """Give every local procedure of the catalogue (code: name) a row, awaiting its
        national code; a known one keeps its mapping and takes the new name."""
        if not names:
            return
        stmt = insert(PROCEDURE_MAP).values(
            [{"local_code": code, "local_name": name} for code, name in names.items()]
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[PROCEDURE_MAP.c.local_code],
                set_={"local_name": stmt.excluded.local_name},
            )
        )

    # -- the queue ---------------------------------------------------------------------

    async def next_due(self) -> datetime | None:
        """When the earliest pending dossier can next be taken (None: nothing pending)."""
        value: datetime | None = await self.session.scalar(
            select(func.min(func.greatest(QUEUE.c.due_at, QUEUE.c.leased_until))).where(
                QUEUE.c.state == "pending"
            )
        )
        return value

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claim]:
        """Take due dossiers no other pass holds (SKIP LOCKED), leasing them."""
        due = (
            select(QUEUE.c.code)
            .where(
                QUEUE.c.state == "pending",
                QUEUE.c.due_at <= now,
                or_(QUEUE.c.leased_until.is_(None), QUEUE.c.leased_until < now),
            )
            .order_by(QUEUE.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await self.session.execute(
            update(QUEUE)
            .where(QUEUE.c.code.in_(due.scalar_subquery()))
            .values(leased_until=lease_until)
            .returning(
                QUEUE.c.code,
                QUEUE.c.revision,
                QUEUE.c.attempts,
                QUEUE.c.force,
                QUEUE.c.pending_since,
                QUEUE.c.arrived_at,
                func.now().label("claimed_at"),
            )
        )
        claims = [
            Claim(
                r.code, r.revision, r.attempts, r.force, r.pending_since, r.arrived_at, r.claimed_at
            )
            for r in rows
        ]
        return sorted(claims, key=lambda c: c.code)

    async def facts(self, codes: Iterable[str]) -> dict[str, list[Fact]]:
        """The stored facts of these dossiers."""
        rows = await self.session.execute(select(EVENTS).where(among(EVENTS.c.dossier_code, codes)))
        found: dict[str, list[Fact]] = {}
        for r in rows:
            found.setdefault(r.dossier_code, []).append(
                Fact(str(r.event_id), r.event_type, r.occurred_at, r.recorded_at, r.data)
            )
        return found

    async def dossiers(self, codes: Iterable[str]) -> dict[str, Any]:
        """The dossier rows of these codes."""
        rows = await self.session.execute(select(DOSSIERS).where(among(DOSSIERS.c.code, codes)))
        return {r.code: r for r in rows}

    async def applicants(self, codes: Iterable[str]) -> Applicants:
        """The kept applicant records of these dossiers, and which were erased."""
        codes = list(codes)
        recorded = await self.session.execute(
            select(APPLICANTS.c.code, APPLICANTS.c.applicant).where(among(APPLICANTS.c.code, codes))
        )
        erased = await self.session.execute(
            select(ERASURES.c.code).where(among(ERASURES.c.code, codes))
        )
        return Applicants({r.code: r.applicant for r in recorded}, set(erased.scalars()))

    async def sent_progress(self, codes: Iterable[str]) -> dict[str, dict[str, str]]:
        """Per dossier, the digest of each step the portal acknowledged."""
        rows = await self.session.execute(
            select(PROGRESS.c.code, PROGRESS.c.step_key, PROGRESS.c.digest).where(
                among(PROGRESS.c.code, codes)
            )
        )
        sent: dict[str, dict[str, str]] = {}
        for r in rows:
            sent.setdefault(r.code, {})[r.step_key] = r.digest
        return sent

    async def national_procedures(self, local_codes: Iterable[str]) -> dict[str, NationalProcedure]:
        """Confirmed mappings of these local procedure codes."""
        rows = await self.session.execute(
            select(PROCEDURE_MAP).where(
                PROCEDURE_MAP.c.local_code.in_(list(local_codes)),
                PROCEDURE_MAP.c.national_code.is_not(None),
            )
        )
        return {
            r.local_code: NationalProcedure(
                r.national_code, r.national_name or "", r.field_code, r.field_name
            )
            for r in rows
        }

    async def unit_codes(self, agencies: Iterable[str]) -> dict[str, str]:
        """madonvi of these agencies."""
        rows = await self.session.execute(
            select(UNIT_MAP).where(UNIT_MAP.c.agency_code.in_(list(agencies)))
        )
        return {r.agency_code: r.unit_code for r in rows}

    async def acknowledged(
        self,
        claim: Claim,
        now: datetime,
        record: dict[str, Any] | None,
        record_digest: str | None,
        steps: list[tuple[int, str, str, dict[str, Any]]],
        reply: str,
    ) -> bool:
        """The portal has the claimed state (see `acknowledged_all`). Returns whether a
        newer revision is waiting."""
        done = Acknowledged(claim, record, record_digest, steps, reply)
        return bool(await self.acknowledged_all([done], now))

    async def acknowledged_all(self, done: Sequence[Acknowledged], now: datetime) -> set[str]:
        """The portal has these claimed states: record them and release their queue rows,
        or re-arm those a newer revision arrived for meanwhile (returned). A few statements
        for the whole pass, whatever its size."""
        if not done:
            return set()
        codes = [d.claim.code for d in done]
        rows = [d.row(now) for d in sorted(done, key=lambda d: d.claim.code)]
        await self.session.execute(_ACKNOWLEDGE, rows)
        steps = [
            (d.claim.code, key, position, step_digest, entry)
            for d in done
            for position, key, step_digest, entry in d.steps
        ]
        if steps:
            await self.session.execute(
                _KEEP_PROGRESS,
                {
                    "codes": [s[0] for s in steps],
                    "keys": [s[1] for s in steps],
                    "positions": [s[2] for s in steps],
                    "digests": [s[3] for s in steps],
                    "entries": [json_text(s[4]) for s in steps],
                    "now": now,
                },
            )
        released = await self.session.execute(
            delete(QUEUE)
            .where(
                tuple_(QUEUE.c.code, QUEUE.c.revision).in_(
                    [(d.claim.code, d.claim.revision) for d in done]
                ),
                QUEUE.c.state == "pending",
            )
            .returning(QUEUE.c.code)
        )
        newer = set(codes) - set(released.scalars())
        for claimed_at in {d.claim.claimed_at for d in done if d.claim.code in newer}:
            await self.session.execute(
                update(QUEUE)
                .where(
                    QUEUE.c.code.in_(
                        [
                            d.claim.code
                            for d in done
                            if d.claim.code in newer and d.claim.claimed_at == claimed_at
                        ]
                    ),
                    QUEUE.c.state == "pending",
                )
                .values(
                    attempts=0,
                    due_at=now,
                    leased_until=None,
                    force=False,
                    pending_since=now,
                    # What is newer than the claimed revision arrived after the claim.
                    arrived_at=claimed_at,
                    reason=None,
                    last_code=None,
                )
            )
        return newer

    async def failed(
        self, claim: Claim, *, due_at: datetime, now: datetime, code: str, reply: str, dead: bool
    ) -> None:
        """An attempt failed: back off, or give up to the dead-letter state."""
        await self.session.execute(
            update(QUEUE)
            .where(QUEUE.c.code == claim.code)
            .values(
                attempts=QUEUE.c.attempts + 1,
                due_at=due_at,
                leased_until=None,
                last_code=code,
                last_reply=reply[:4000],
                last_attempt_at=now,
                state="dead" if dead else QUEUE.c.state,
                dead_at=now if dead else None,
                reason="portal_rejected" if dead else QUEUE.c.reason,
            )
        )

    async def hold(self, held: Sequence[tuple[Claim, str]]) -> None:
        """Not sendable yet (no reception known, procedure not mapped): each claimed
        dossier waits for a change, with its reason. A dossier whose revision grew since
        its claim only loses its lease (it is pending again)."""
        if not held:
            return
        ordered = sorted(held, key=lambda one: one[0].code)
        await self.session.execute(
            _HOLD,
            [{"code": c.code, "revision": c.revision, "reason": reason} for c, reason in ordered],
        )
        await self.session.execute(
            _RELEASE_NEWER, [{"code": c.code, "revision": c.revision} for c, _ in ordered]
        )

    async def requeue(
        self,
        codes: Sequence[str] | None,
        now: datetime,
        *,
        force: bool,
        states: Sequence[str] = ("pending", "held", "dead"),
    ) -> int:
        """Put dossiers back in the queue (all known when `codes` is None); `force` sends
        everything again, not only what changed."""
        selected = select(DOSSIERS.c.code, DOSSIERS.c.revision)
        if codes is not None:
            selected = selected.where(DOSSIERS.c.code.in_(list(codes)))
        rows = (await self.session.execute(selected)).all()
        if not rows:
            return 0
        stmt = insert(QUEUE).values(
            [
                {
                    "code": r.code,
                    "revision": r.revision,
                    "state": "pending",
                    "pending_since": now,
                    "due_at": now,
                    "force": force,
                }
                for r in rows
            ]
        )
        result = await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[QUEUE.c.code],
                set_={
                    "state": "pending",
                    "attempts": 0,
                    # A dead dossier is due at once even for a caller whose clock is
                    # behind the service's (a command line beside a simulated clock):
                    # the service's own clock read its death.
                    "due_at": func.least(now, func.coalesce(QUEUE.c.dead_at, now)),
                    "leased_until": None,
                    "dead_at": None,
                    "reason": None,
                    "force": or_(QUEUE.c.force, stmt.excluded.force),
                    # A dossier waiting already keeps its arrival; a dead or held one
                    # starts waiting now.
                    "arrived_at": case(
                        (QUEUE.c.state == "pending", QUEUE.c.arrived_at), else_=func.now()
                    ),
                },
                where=QUEUE.c.state.in_(list(states)),
            ).returning(QUEUE.c.code)
        )
        return len(result.all())

    async def received_between(self, start: datetime, end: datetime) -> list[str]:
        """Dossiers received in [start, end)."""
        rows = await self.session.execute(
            select(DOSSIERS.c.code).where(
                and_(DOSSIERS.c.received_at >= start, DOSSIERS.c.received_at < end)
            )
        )
        return list(rows.scalars())

    async def real_now(self) -> datetime:
        """The database's real time now (not the transaction's start, not a simulated clock)."""
        moment: datetime = (await self.session.execute(select(func.clock_timestamp()))).scalar_one()
        return moment

    async def dead(self, codes: Sequence[str] | None = None) -> list[str]:
        """Dossiers in the dead-letter state."""
        query = select(QUEUE.c.code).where(QUEUE.c.state == "dead")
        if codes is not None:
            query = query.where(QUEUE.c.code.in_(list(codes)))
        return list((await self.session.execute(query.order_by(QUEUE.c.code))).scalars())
