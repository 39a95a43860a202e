"""Reading and writing the portal service's tables (inside the caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_portal.adapters.tables import (
    DOSSIERS,
    EVENTS,
    PROCEDURE_MAP,
    PROGRESS,
    QUEUE,
    UNIT_MAP,
)
from motcua_portal.domain import Fact, NationalProcedure

__all__ = ["Acknowledged", "Claim", "NewFact", "SyncStore"]


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

    def row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "revision": self.facts,
            "agency_code": self.agency_code,
            "received_at": self.received_at,
            "procedure_code": self.procedure_code,
        }


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """A claimed state the portal acknowledged: the record sent (None: unchanged, not
    sent), the steps sent `(position, key, digest, entry)` and the portal's replies."""

    claim: Claim
    record: dict[str, Any] | None
    record_digest: str | None
    steps: list[tuple[int, str, str, dict[str, Any]]]
    reply: str

    def row(self, now: datetime, with_record: bool) -> dict[str, Any]:
        row = {
            "b_code": self.claim.code,
            "b_revision": self.claim.revision,
            "b_now": now,
            "b_reply": self.reply[:4000],
        }
        if with_record:
            row |= {"b_record": self.record, "b_digest": self.record_digest}
        return row


def _acknowledge(with_record: bool) -> Any:
    values: dict[str, Any] = {
        "synced_revision": func.greatest(DOSSIERS.c.synced_revision, bindparam("b_revision")),
        "on_portal": True,
        "acknowledged_at": bindparam("b_now"),
        "last_reply": bindparam("b_reply"),
    }
    if with_record:
        values |= {
            "record": bindparam("b_record", type_=JSONB),
            "record_digest": bindparam("b_digest"),
        }
    return update(DOSSIERS).where(DOSSIERS.c.code == bindparam("b_code")).values(values)


# Executed with one parameter set per dossier (executemany, pipelined by the driver).
_ACKNOWLEDGE = {True: _acknowledge(True), False: _acknowledge(False)}


class SyncStore:
    """The queries of the sync; every method runs in the session's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- ingestion -------------------------------------------------------------------

    async def keep(self, facts: Sequence[NewFact], now: datetime) -> list[str]:
        """Store new facts, bump their dossiers' revisions and queue them (coalesced: one
        queue row per dossier holding the newest revision). Returns the dossiers queued."""
        if not facts:
            return []
        kept = await self.session.execute(
            insert(EVENTS)
            .values(
                [
                    {
                        "event_id": f.event_id,
                        "dossier_code": f.dossier_code,
                        "event_type": f.event_type,
                        "occurred_at": f.occurred_at,
                        "recorded_at": f.recorded_at,
                        "data": f.data,
                    }
                    for f in facts
                ]
            )
            .on_conflict_do_nothing()
            .returning(EVENTS.c.event_id)
        )
        fresh = set(kept.scalars())
        by_code: dict[str, list[NewFact]] = {}
        for fact in facts:
            if fact.event_id in fresh:
                by_code.setdefault(fact.dossier_code, []).append(fact)
        if not by_code:
            return []
        revisions = await self._bump([_Bump.of(code, by_code[code]) for code in sorted(by_code)])
        await self._queue(by_code, revisions, now)
        return sorted(by_code)

    async def _bump(self, bumps: list[_Bump]) -> dict[str, int]:
        """One statement for the batch: each dossier's revision grows by its new facts."""
        stmt = insert(DOSSIERS).values([bump.row() for bump in bumps])
        new = stmt.excluded
        result = await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[DOSSIERS.c.code],
                set_={
                    "revision": DOSSIERS.c.revision + new.revision,
                    "agency_code": func.coalesce(new.agency_code, DOSSIERS.c.agency_code),
                    "received_at": func.coalesce(new.received_at, DOSSIERS.c.received_at),
                    "procedure_code": func.coalesce(new.procedure_code, DOSSIERS.c.procedure_code),
                },
            ).returning(DOSSIERS.c.code, DOSSIERS.c.revision)
        )
        return {r.code: int(r.revision) for r in result}

    async def _queue(
        self, by_code: dict[str, list[NewFact]], revisions: dict[str, int], now: datetime
    ) -> None:
        """One statement for the batch: a queue row per dossier holding its newest revision."""
        queued = insert(QUEUE).values(
            [
                {
                    "code": code,
                    "revision": revisions[code],
                    "state": "pending",
                    "pending_since": min(f.recorded_at for f in facts),
                    "due_at": now,
                }
                for code, facts in sorted(by_code.items())
            ]
        )
        await self.session.execute(
            queued.on_conflict_do_update(
                index_elements=[QUEUE.c.code],
                set_={
                    "revision": queued.excluded.revision,
                    # A held dossier is looked at again; a dead one waits for a redrive.
                    "state": func.coalesce(
                        func.nullif(QUEUE.c.state, "held"), queued.excluded.state
                    ),
                    "pending_since": func.least(
                        QUEUE.c.pending_since, queued.excluded.pending_since
                    ),
                    # A dossier backing off keeps its pause: new events do not hammer the portal.
                    "due_at": case(
                        (QUEUE.c.attempts == 0, func.least(QUEUE.c.due_at, queued.excluded.due_at)),
                        else_=QUEUE.c.due_at,
                    ),
                },
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
        rows = await self.session.execute(
            select(EVENTS).where(EVENTS.c.dossier_code.in_(list(codes)))
        )
        found: dict[str, list[Fact]] = {}
        for r in rows:
            found.setdefault(r.dossier_code, []).append(
                Fact(str(r.event_id), r.event_type, r.occurred_at, r.recorded_at, r.data)
            )
        return found

    async def dossiers(self, codes: Iterable[str]) -> dict[str, Any]:
        """The dossier rows of these codes."""
        rows = await self.session.execute(select(DOSSIERS).where(DOSSIERS.c.code.in_(list(codes))))
        return {r.code: r for r in rows}

    async def sent_progress(self, codes: Iterable[str]) -> dict[str, dict[str, str]]:
        """Per dossier, the digest of each step the portal acknowledged."""
        rows = await self.session.execute(
            select(PROGRESS.c.code, PROGRESS.c.step_key, PROGRESS.c.digest).where(
                PROGRESS.c.code.in_(list(codes))
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
        for with_record in (True, False):
            rows = [d.row(now, with_record) for d in done if (d.record is not None) is with_record]
            if rows:
                await self.session.execute(_ACKNOWLEDGE[with_record], rows)
        await self.session.execute(
            update(DOSSIERS)
            .where(DOSSIERS.c.code.in_(codes), DOSSIERS.c.created_on_portal_at.is_(None))
            .values(created_on_portal_at=now)
        )
        steps = [
            {
                "code": d.claim.code,
                "step_key": key,
                "position": position,
                "digest": step_digest,
                "entry": entry,
                "sent_at": now,
            }
            for d in done
            for position, key, step_digest, entry in d.steps
        ]
        if steps:
            stmt = insert(PROGRESS).values(steps)
            await self.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[PROGRESS.c.code, PROGRESS.c.step_key],
                    set_={
                        "position": stmt.excluded.position,
                        "digest": stmt.excluded.digest,
                        "entry": stmt.excluded.entry,
                        "sent_at": stmt.excluded.sent_at,
                    },
                )
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

    async def hold(self, claim: Claim, reason: str) -> None:
        """Not sendable yet (no reception known, procedure not mapped): wait for a change."""
        await self.session.execute(
            update(QUEUE)
            .where(QUEUE.c.code == claim.code, QUEUE.c.revision == claim.revision)
            .values(state="held", reason=reason, leased_until=None)
        )
        await self.session.execute(
            update(QUEUE)
            .where(QUEUE.c.code == claim.code, QUEUE.c.revision != claim.revision)
            .values(leased_until=None)
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
                    "due_at": now,
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
