"""Applies checked commands to stored dossiers, many per transaction.

One transaction per batch:
1. idempotency records of the batch are read: a retried request is answered as before;
2. the dossiers the batch touches are locked (`SELECT … FOR UPDATE`, in code order), so one
   dossier's events are committed, and staged to the outbox, in the order they are applied;
3. each command is planned against that state (`domain.planning`), all or nothing: a
   refused command leaves no trace and does not disturb the others;
4. codes are issued from the per-agency daily sequences (`code_issuance`), skipping any
   number a counter already used as its own code;
5. dossiers, events, outbox rows and idempotency records are written in bulk, the answer
   kept under a key rendered as the entry points answer it (`render`).
A conflict with a concurrent batch (unique violation, deadlock) rolls the batch back and
plans it again on the new state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.clock import Clock
from motcua.events import Envelope, ProcedureTerms
from motcua.messaging import outbox_rows
from motcua_intake.adapters import idempotency_store
from motcua_intake.adapters.batch_reads import BatchState, read_batch
from motcua_intake.adapters.batch_writes import BatchWrites, write_batch
from motcua_intake.adapters.idempotency_store import StoredResponse
from motcua_intake.domain.planning import (
    DossierState,
    Plan,
    Refusal,
    Registration,
    applicant_recorded,
    plan_registration,
    plan_steps,
    recorded_events,
)
from motcua_intake.domain.privacy import applicant_digest
from motcua_intake.service.catalogue import PRODUCER, procedure_terms
from motcua_intake.service.code_issuance import issue_codes
from motcua_intake.service.errors import Rejection, from_refusal
from motcua_intake.service.idempotency import replay
from motcua_intake.service.items import Answer, Claim, Item, Outcome, Receipt, Replayed

__all__ = ["Ledger"]

log = logging.getLogger(__name__)
_RETRYABLE_STATES = {"40P01", "40001", "23505"}


def _retryable(error: DBAPIError) -> bool:
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return isinstance(error, IntegrityError) or state in _RETRYABLE_STATES


class Ledger:
    """The only writer of dossiers: applies batches of items, retrying on conflicts."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        max_retries: int = 5,
        topic: str | None = None,
        *,
        render: Callable[[Receipt], Answer],
        office_of: Callable[[str], str] = str,
        applicants_topic: str | None = None,
        id_pepper: bytes = b"",
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._max_retries = max_retries
        self._topic = topic
        # How a receipt is answered, kept under the command's idempotency key.
        self._render = render
        self._personal = _Personal(applicants_topic, id_pepper)
        # A merged agency's dossiers are handled by the agency that absorbed it.
        self._office_of = office_of
        self._terms: dict[tuple[str, int], ProcedureTerms] = {}

    async def apply(
        self,
        items: Sequence[Item],
        conn: AsyncConnection | None = None,
        *,
        sent: asyncio.Event | None = None,
    ) -> list[Outcome]:
        """One outcome per item, in order; raises only on infrastructure failures.

        `conn` is a connection the caller keeps between batches (group commit); without
        it one is taken from the pool for this batch. `sent` is set once the batch's
        writes are with PostgreSQL: until its answer, the event loop is free for the
        caller's other work.
        """
        verify = False
        for attempt in range(1, self._max_retries + 1):
            try:
                if conn is None:
                    async with self._engine.begin() as fresh:
                        return await self._run(fresh, items, verify, sent)
                async with conn.begin():
                    return await self._run(conn, items, verify, sent)
            except _CodeTaken:
                verify = True
            except DBAPIError as error:
                if attempt == self._max_retries or not _retryable(error):
                    raise
                log.info("batch conflicted with another; planning it again", extra={"try": attempt})
        raise RuntimeError(f"batch still conflicting after {self._max_retries} tries")

    async def _run(
        self,
        conn: AsyncConnection,
        items: Sequence[Item],
        verify: bool,
        sent: asyncio.Event | None,
    ) -> list[Outcome]:
        """Plan and write one batch; one outcome per item, in order."""
        now = self._clock.now()
        claims = _Claims.of(items)
        live = [index for index in range(len(items)) if index not in claims.followers]
        state = await read_batch(
            conn, claims.owners.keys(), _dossier_codes(items, live), _procedures(items, live)
        )
        outcomes = await _replays(conn, claims, state)
        terms = await self._terms_of(conn, state.revisions)
        book = _Book(state.dossiers, set(state.dossiers))
        pending = [index for index in live if index not in outcomes]
        planned, refused = _plan_all(items, pending, book, terms, self._office_of)
        outcomes.update(refused)
        accepted = await _with_codes(conn, items, planned, book.taken, verify)
        receipts, answers = await self._write(conn, accepted, book, now, sent)
        outcomes.update(receipts)
        for repeat, first in claims.followers.values():
            outcomes[repeat.index] = _repeated(outcomes[first.index], answers, first, repeat.claim)
        return [outcomes[index] for index in range(len(items))]

    async def _write(
        self,
        conn: AsyncConnection,
        accepted: list[_Accepted],
        book: _Book,
        now: datetime,
        sent: asyncio.Event | None,
    ) -> tuple[dict[int, Receipt], dict[int, Answer]]:
        """Write the accepted commands in one statement; their receipts, and the answers
        kept under their idempotency keys (by item)."""
        writes = BatchWrites()
        receipts: dict[int, Receipt] = {}
        answers: dict[int, Answer] = {}
        for entry in accepted:
            receipt = receipts[entry.index] = self._stage(entry, book, now, writes)
            claim = entry.item.claim
            if claim is not None:
                answer = answers[entry.index] = self._render(receipt)
                writes.remember(
                    claim.scope, claim.key, claim.request_hash, answer.status_code, answer.body
                )
        for code in book.changed:
            writes.change(code, int(book.dossiers[code].status))
        if sent is not None:
            sent.set()
        if await write_batch(conn, writes) != len(writes.codes):
            raise _CodeTaken()
        return receipts, answers

    async def _terms_of(
        self, conn: AsyncConnection, revisions: dict[str, int]
    ) -> dict[str, tuple[int, ProcedureTerms]]:
        """Each procedure's current revision and terms."""
        terms: dict[str, tuple[int, ProcedureTerms]] = {}
        for code, revision in revisions.items():
            cached = self._terms.get((code, revision))
            if cached is not None:
                terms[code] = (revision, cached)
        missing = revisions.keys() - terms.keys()
        if missing:
            terms.update(await procedure_terms(conn, set(missing), self._terms))
        return terms

    def _stage(self, entry: _Accepted, book: _Book, now: datetime, writes: BatchWrites) -> Receipt:
        """Add what an accepted command writes to `writes`; its receipt."""
        item, plan, code = entry.item, entry.plan, entry.code
        envelopes = recorded_events(plan, item.steps, code, PRODUCER, now)
        rows = outbox_rows(envelopes, self._topic)
        for envelope, row, status in zip(envelopes, rows, plan.statuses, strict=True):
            writes.event(row, envelope.event_type, envelope.occurred_at, int(status))
        registration = item.registration
        if registration is not None:
            # A dossier created by this batch and moved on by a later command of it is
            # written with its final status.
            state = book.dossiers.get(code)
            status = state.status if state is not None else plan.statuses[-1]
            writes.dossier(
                code,
                plan.agency,
                registration.unit,
                registration.procedure_code,
                int(status),
                registration.received_at,
            )
            self._record_applicant(registration, code, envelopes[0], now, writes)
        last = envelopes[-1]
        return Receipt(code, plan.statuses[-1], last.event_id, last.event_type, rows[-1]["payload"])

    def _record_applicant(
        self,
        registration: Registration,
        code: str,
        received: Envelope,
        now: datetime,
        writes: BatchWrites,
    ) -> None:
        """The applicant travels apart from the dossier's events (docs/privacy.md)."""
        envelope = applicant_recorded(registration, code, received, PRODUCER, now)
        (row,) = outbox_rows([envelope], self._personal.topic)
        digest = applicant_digest(self._personal.pepper, registration.applicant)
        writes.applicant(row, registration.agency, digest, registration.received_at)


class _CodeTaken(Exception):
    """An issued code was already used (by a counter's own code): plan again, checking."""


@dataclass(frozen=True, slots=True)
class _Personal:
    """Where applicant records go (None: the topic `ApplicantRecorded` names) and the key
    of identity-number digests."""

    topic: str | None
    pepper: bytes


@dataclass(frozen=True, slots=True)
class _Keyed:
    """An item made under an idempotency key."""

    index: int
    claim: Claim


@dataclass(frozen=True, slots=True)
class _Claims:
    """The idempotency keys of a batch: the first item under each (`owners`), and the items
    repeating a key earlier in the batch (`followers`: by index, with the first)."""

    owners: dict[tuple[str, str], _Keyed]
    followers: dict[int, tuple[_Keyed, _Keyed]]

    @classmethod
    def of(cls, items: Sequence[Item]) -> _Claims:
        owners: dict[tuple[str, str], _Keyed] = {}
        followers: dict[int, tuple[_Keyed, _Keyed]] = {}
        for index, item in enumerate(items):
            if item.claim is None:
                continue
            keyed = _Keyed(index, item.claim)
            first = owners.setdefault((item.claim.scope, item.claim.key), keyed)
            if first is not keyed:
                followers[index] = (keyed, first)
        return cls(owners, followers)


@dataclass(slots=True)
class _Book:
    """The batch's dossiers as its commands leave them, one command after the other:
    their state, the codes taken (stored or given in the batch), the dossiers the batch
    creates and the stored ones it changes."""

    dossiers: dict[str, DossierState]
    taken: set[str]
    created: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)

    def record(self, plan: Plan) -> None:
        """A planned command, seen by the commands after it (a code to issue is not yet)."""
        code = plan.code
        if code is None:
            return
        self.taken.add(code)
        self.dossiers[code] = DossierState(code, plan.agency, plan.status, plan.received_at)
        if plan.reception is not None:
            self.created.add(code)
        elif code not in self.created:
            self.changed.add(code)


@dataclass(frozen=True, slots=True)
class _Accepted:
    """A planned command with its dossier's code (the client's, or issued)."""

    index: int
    item: Item
    plan: Plan
    code: str


def _plan_all(
    items: Sequence[Item],
    indexes: Iterable[int],
    book: _Book,
    terms: dict[str, tuple[int, ProcedureTerms]],
    office_of: Callable[[str], str],
) -> tuple[list[tuple[int, Plan]], dict[int, Rejection]]:
    """Plan the items at `indexes`, in order, each on the state the previous left in
    `book`: the plans (by item) and the refusals."""
    planned: list[tuple[int, Plan]] = []
    refused: dict[int, Rejection] = {}
    for index in indexes:
        plan = _plan(items[index], book, terms, office_of)
        if isinstance(plan, Refusal):
            refused[index] = from_refusal(plan)
        else:
            book.record(plan)
            planned.append((index, plan))
    return planned, refused


def _plan(
    item: Item,
    book: _Book,
    terms: dict[str, tuple[int, ProcedureTerms]],
    office_of: Callable[[str], str],
) -> Plan | Refusal:
    registration = item.registration
    if registration is None:
        target = item.target or ""
        return plan_steps(target, book.dossiers.get(target), item.steps, item.scope, office_of)
    procedure = terms.get(registration.procedure_code)
    return plan_registration(registration, item.steps, procedure, book.taken)


async def _with_codes(
    conn: AsyncConnection,
    items: Sequence[Item],
    planned: list[tuple[int, Plan]],
    taken: Collection[str],
    verify: bool,
) -> list[_Accepted]:
    """The planned commands with their dossiers' codes, issuing those not given."""
    wanted = [(plan.agency, plan.received_at) for _, plan in planned if plan.code is None]
    issued = iter(await issue_codes(conn, wanted, taken, verify))
    return [
        _Accepted(index, items[index], plan, plan.code or next(issued)) for index, plan in planned
    ]


async def _replays(conn: AsyncConnection, claims: _Claims, state: BatchState) -> dict[int, Outcome]:
    """The outcomes of items whose key an earlier request used: its answer, or a refusal."""
    if not state.keys:
        return {}
    stored = await idempotency_store.find(conn, state.keys.keys())
    outcomes: dict[int, Outcome] = {}
    for key, record in stored.items():
        first = claims.owners[key]
        outcomes[first.index] = replay(record, first.claim)
    return outcomes


def _repeated(first: Outcome, answers: dict[int, Answer], owner: _Keyed, claim: Claim) -> Outcome:
    """The outcome of an item repeating the key of `owner`, earlier in the same batch."""
    if isinstance(first, Rejection):
        return first
    answer = first.answer if isinstance(first, Replayed) else answers[owner.index]
    stored = StoredResponse(
        claim.scope, claim.key, owner.claim.request_hash, answer.status_code, answer.body
    )
    return replay(stored, claim)


def _dossier_codes(items: Sequence[Item], live: Iterable[int]) -> set[str]:
    """The stored dossiers the items may touch: their targets and the codes they bring."""
    codes: set[str] = set()
    for index in live:
        item = items[index]
        if item.target is not None:
            codes.add(item.target)
        if item.registration is not None and item.registration.client_code is not None:
            codes.add(item.registration.client_code)
    return codes


def _procedures(items: Sequence[Item], live: Iterable[int]) -> set[str]:
    return {
        registration.procedure_code
        for index in live
        if (registration := items[index].registration) is not None
    }
