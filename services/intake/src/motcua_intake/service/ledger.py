"""Applies checked commands to stored dossiers, many per transaction.

One transaction per batch:
1. idempotency records of the batch are read: a retried request is answered as before;
2. the dossiers the batch touches are locked (`SELECT … FOR UPDATE`, in code order), so one
   dossier's events are committed, and staged to the outbox, in the order they are applied;
3. each command is planned against that state, all or nothing: a refused command leaves
   no trace and does not disturb the others;
4. codes are issued from the per-agency daily sequences (`INSERT … ON CONFLICT DO UPDATE`),
   skipping any number a counter already used as its own code;
5. dossiers, events, outbox rows and idempotency records are written in bulk.
A conflict with a concurrent batch (unique violation, deadlock) rolls the batch back and
plans it again on the new state.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.clock import Clock
from motcua.events import (
    ApplicantRecorded,
    DossierEvent,
    DossierReceived,
    Envelope,
    ProcedureTerms,
)
from motcua.lifecycle import LifecycleStep, TransitionRejected, apply
from motcua.messaging.outbox import outbox_rows
from motcua.vocabulary import DossierStatus
from motcua_intake.adapters import dossier_store, idempotency_store
from motcua_intake.adapters.batch_reads import BatchState, read_batch
from motcua_intake.adapters.batch_writes import BatchWrites, write_batch
from motcua_intake.adapters.dossier_store import DossierState
from motcua_intake.adapters.idempotency_store import StoredResponse
from motcua_intake.domain.clock_checks import local_date
from motcua_intake.domain.codes import format_dossier_code
from motcua_intake.domain.privacy import applicant_digest
from motcua_intake.service.catalogue import PRODUCER, procedure_terms
from motcua_intake.service.errors import FieldError, Rejection
from motcua_intake.service.idempotency import replay
from motcua_intake.service.items import Accepted, Item, Outcome, Registration

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
        office_of: Callable[[str], str] = str,
        applicants_topic: str | None = None,
        id_pepper: bytes = b"",
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._max_retries = max_retries
        self._topic = topic
        self._personal = _Personal(applicants_topic, id_pepper)
        # A merged agency's dossiers are handled by the agency that absorbed it.
        self._office_of = office_of
        self._terms: dict[tuple[str, int], ProcedureTerms] = {}

    async def apply(
        self, items: Sequence[Item], conn: AsyncConnection | None = None
    ) -> list[Outcome]:
        """One outcome per item, in order; raises only on infrastructure failures.

        `conn` is a connection the caller keeps between batches (group commit); without
        it one is taken from the pool for this batch.
        """
        verify = False
        for attempt in range(1, self._max_retries + 1):
            try:
                if conn is None:
                    async with self._engine.begin() as fresh:
                        return await self._run(fresh, items, verify)
                async with conn.begin():
                    return await self._run(conn, items, verify)
            except _CodeTaken:
                verify = True
            except DBAPIError as error:
                if attempt == self._max_retries or not _retryable(error):
                    raise
                log.info("batch conflicted with another; planning it again", extra={"try": attempt})
        raise RuntimeError(f"batch still conflicting after {self._max_retries} tries")

    async def _run(
        self, conn: AsyncConnection, items: Sequence[Item], verify: bool
    ) -> list[Outcome]:
        batch = _Batch(conn, items, self._clock.now(), self._terms, verify, self._topic)
        batch.office_of = self._office_of
        batch.personal = self._personal
        return await batch.run()


class _CodeTaken(Exception):
    """An issued code was already used (by a counter's own code): plan again, checking."""


@dataclass(frozen=True, slots=True)
class _Personal:
    """Where applicant records go (None: the topic `ApplicantRecorded` names) and the key
    of identity-number digests."""

    topic: str | None
    pepper: bytes


@dataclass
class _Plan:
    """What one accepted item writes."""

    index: int
    item: Item
    agency: str
    code: str | None
    terms: ProcedureTerms | None = None
    revision: int = 0
    """The catalogue revision `terms` are (a reception names it)."""
    statuses: list[DossierStatus] = field(default_factory=list)


class _Batch:
    def __init__(
        self,
        conn: AsyncConnection,
        items: Sequence[Item],
        now: datetime,
        terms_cache: dict[tuple[str, int], ProcedureTerms],
        verify_codes: bool,
        topic: str | None = None,
    ) -> None:
        self.office_of: Callable[[str], str] = str
        self.personal = _Personal(None, b"")
        self._conn = conn
        self._topic = topic
        self._verify_codes = verify_codes
        self._items = items
        self._now = now
        self._terms_cache = terms_cache
        self._outcomes: list[Outcome | None] = [None] * len(items)
        self._followers: dict[int, int] = {}
        self._state: dict[str, DossierState] = {}
        self._taken: set[str] = set()
        self._touched: set[str] = set()
        self._created: set[str] = set()

    async def run(self) -> list[Outcome]:
        owners = self._owners_of_keys()
        live = [i for i in range(len(self._items)) if i not in self._followers]
        state = await read_batch(
            self._conn, owners.keys(), self._codes(live), self._procedure_codes(live)
        )
        await self._replay_known_keys(owners, state)
        live = [i for i in live if self._outcomes[i] is None]
        self._state = state.dossiers
        self._taken = set(state.dossiers)
        terms = await self._load_terms(state.revisions)
        plans = [plan for i in live if (plan := self._plan(i, terms)) is not None]
        await self._issue_codes([p for p in plans if p.code is None])
        await self._write(plans)
        self._answer_followers()
        outcomes = [o for o in self._outcomes if o is not None]
        assert len(outcomes) == len(self._items)
        return outcomes

    def _owners_of_keys(self) -> dict[tuple[str, str], int]:
        owners: dict[tuple[str, str], int] = {}
        for index, item in enumerate(self._items):
            if item.claim is None:
                continue
            key = (item.claim.scope, item.claim.key)
            if key in owners:
                self._followers[index] = owners[key]
            else:
                owners[key] = index
        return owners

    async def _replay_known_keys(
        self, owners: dict[tuple[str, str], int], state: BatchState
    ) -> None:
        if not state.keys:
            return
        stored = await idempotency_store.find(self._conn, state.keys.keys())
        for key, record in stored.items():
            index = owners[key]
            claim = self._items[index].claim
            assert claim is not None
            self._outcomes[index] = replay(record, claim)

    def _codes(self, live: list[int]) -> set[str]:
        codes: set[str] = set()
        for index in live:
            item = self._items[index]
            if item.target is not None:
                codes.add(item.target)
            if item.registration is not None and item.registration.client_code is not None:
                codes.add(item.registration.client_code)
        return codes

    def _procedure_codes(self, live: list[int]) -> set[str]:
        return {
            registration.procedure_code
            for index in live
            if (registration := self._items[index].registration) is not None
        }

    async def _load_terms(self, revisions: dict[str, int]) -> dict[str, tuple[int, ProcedureTerms]]:
        """Each procedure's current revision and terms."""
        terms: dict[str, tuple[int, ProcedureTerms]] = {}
        for code, revision in revisions.items():
            cached = self._terms_cache.get((code, revision))
            if cached is not None:
                terms[code] = (revision, cached)
        missing = revisions.keys() - terms.keys()
        if missing:
            terms.update(await procedure_terms(self._conn, set(missing), self._terms_cache))
        return terms

    def _plan(self, index: int, terms: dict[str, tuple[int, ProcedureTerms]]) -> _Plan | None:
        item = self._items[index]
        try:
            plan, state = self._start(index, item, terms)
            status = state.status
            for step in item.steps:
                if step.occurred_at < state.received_at:
                    raise Rejection(
                        "invalid",
                        "occurred_before_reception",
                        "an event cannot happen before the dossier was received",
                        [
                            FieldError(
                                step.pointer + "/occurred_at",
                                "occurred_before_reception",
                                "earlier than the reception time",
                            )
                        ],
                    )
                try:
                    status = apply(status, step.kind)
                except TransitionRejected as rejected:
                    raise Rejection(
                        "conflict",
                        "transition_not_allowed",
                        rejected.message_en,
                        [
                            FieldError(
                                step.pointer + "/type",
                                "transition_not_allowed",
                                rejected.message_en,
                            )
                        ],
                    ) from None
                plan.statuses.append(status)
        except Rejection as rejection:
            self._outcomes[index] = rejection
            return None
        if plan.code is not None:
            self._taken.add(plan.code)
            self._state[plan.code] = DossierState(plan.code, plan.agency, status, state.received_at)
            if plan.terms is not None:
                self._created.add(plan.code)
            elif plan.code not in self._created:
                self._touched.add(plan.code)
        return plan

    def _start(
        self, index: int, item: Item, terms: dict[str, tuple[int, ProcedureTerms]]
    ) -> tuple[_Plan, DossierState]:
        registration = item.registration
        if registration is None:
            target = item.target or ""
            state = self._state.get(target)
            if state is None:
                raise Rejection("not_found", "dossier_not_found", f"no dossier {target!r}")
            if item.scope is not None and item.scope not in (
                state.agency,
                self.office_of(state.agency),
            ):
                raise Rejection(
                    "forbidden", "forbidden", f"dossier {target!r} belongs to another agency"
                )
            return _Plan(index, item, state.agency, target), state
        found = terms.get(registration.procedure_code)
        if found is None:
            raise _unknown_procedure(registration)
        revision, procedure = found
        code = registration.client_code
        if code is not None and code in self._taken:
            raise Rejection(
                "conflict",
                "duplicate_dossier_code",
                f"dossier code {code!r} is already used",
                [FieldError("/dossier_code", "duplicate_dossier_code", "already used")],
            )
        received = apply(DossierStatus.NEWLY_REGISTERED, LifecycleStep.RECEIVED)
        plan = _Plan(index, item, registration.agency, code, procedure, revision, [received])
        state = DossierState(code or "", registration.agency, received, registration.received_at)
        return plan, state

    async def _issue_codes(self, plans: list[_Plan]) -> None:
        waiting = plans
        while waiting:
            by_day: dict[tuple[str, date], list[_Plan]] = defaultdict(list)
            for plan in waiting:
                registration = plan.item.registration
                assert registration is not None
                by_day[(plan.agency, local_date(registration.received_at))].append(plan)
            counts = Counter({key: len(group) for key, group in by_day.items()})
            last = await dossier_store.reserve_sequences(self._conn, counts)
            for key, group in by_day.items():
                first = last[key] - len(group) + 1
                for offset, plan in enumerate(group):
                    plan.code = format_dossier_code(key[0], key[1], first + offset)
            issued = [p.code for p in waiting if p.code is not None]
            clashes = self._taken.intersection(issued)
            if self._verify_codes:
                clashes |= await dossier_store.existing_codes(self._conn, issued)
            for plan in waiting:
                if plan.code not in clashes:
                    self._taken.add(plan.code or "")
            waiting = [p for p in waiting if p.code in clashes]

    async def _write(self, plans: list[_Plan]) -> None:
        writes = BatchWrites()
        for plan in sorted(plans, key=lambda p: p.index):
            envelopes = self._envelopes(plan)
            rows = outbox_rows(envelopes, self._topic)
            for envelope, row, status in zip(envelopes, rows, plan.statuses, strict=True):
                writes.event(row, envelope.event_type, envelope.occurred_at, int(status))
            self._accept(plan, envelopes[-1], rows[-1]["payload"], plan.statuses[-1], writes)
            if plan.terms is not None:
                writes.dossier(self._dossier_row(plan))
                self._record_applicant(plan, envelopes[0], writes)
        for code in self._touched:
            writes.change(code, int(self._state[code].status))
        inserted = await write_batch(self._conn, writes)
        if inserted != len(writes.codes):
            raise _CodeTaken()

    def _record_applicant(self, plan: _Plan, received: Envelope, writes: BatchWrites) -> None:
        """The applicant travels apart from the dossier's events (docs/privacy.md)."""
        registration = plan.item.registration
        assert registration is not None
        envelope = Envelope.wrap(
            ApplicantRecorded(applicant=registration.applicant, proxy=registration.proxy),
            producer=PRODUCER,
            occurred_at=registration.received_at,
            now=self._now,
            dossier_code=plan.code,
            agency_code=plan.agency,
            caused_by=received,
        )
        (row,) = outbox_rows([envelope], self.personal.topic)
        digest = applicant_digest(self.personal.pepper, registration.applicant)
        writes.applicant(row, plan.agency, digest, registration.received_at)

    def _dossier_row(self, plan: _Plan) -> dict[str, Any]:
        registration = plan.item.registration
        assert registration is not None and plan.code is not None
        # A dossier created by this batch and moved on by a later command of it is
        # written with its final status.
        state = self._state.get(plan.code)
        status = state.status if state is not None else plan.statuses[-1]
        return {
            "code": plan.code,
            "agency_code": plan.agency,
            "unit_code": registration.unit,
            "procedure_code": registration.procedure_code,
            "status": int(status),
            "received_at": registration.received_at,
        }

    def _envelopes(self, plan: _Plan) -> list[Envelope]:
        item, code = plan.item, plan.code
        payloads: list[tuple[DossierEvent, datetime]] = []
        registration = item.registration
        if registration is not None and plan.terms is not None:
            received = _received(registration, plan.terms.code, plan.revision)
            payloads.append((received, registration.received_at))
        payloads.extend((step.event, step.occurred_at) for step in item.steps)
        correlation: UUID | None = None
        envelopes = []
        for event, occurred_at in payloads:
            envelope = Envelope.wrap(
                event,
                producer=PRODUCER,
                occurred_at=occurred_at,
                now=self._now,
                dossier_code=code,
                agency_code=plan.agency,
                correlation_id=correlation,
            )
            correlation = correlation or envelope.correlation_id
            envelopes.append(envelope)
        return envelopes

    def _accept(
        self,
        plan: _Plan,
        envelope: Envelope,
        payload: bytes,
        status: DossierStatus,
        writes: BatchWrites,
    ) -> None:
        item = plan.item
        body = b""
        if item.respond or item.claim is not None:
            body = orjson.dumps(
                {
                    "code": plan.code,
                    "status": int(status),
                    "status_label": status.label_vi,
                    "event_id": str(envelope.event_id),
                    "event_type": envelope.event_type,
                    "record": orjson.Fragment(payload),
                }
            )
        self._outcomes[plan.index] = Accepted(201, body, dossier_code=plan.code)
        if item.claim is not None:
            claim = item.claim
            writes.remember(claim.scope, claim.key, claim.request_hash, 201, body)

    def _answer_followers(self) -> None:
        for index, owner in self._followers.items():
            first = self._outcomes[owner]
            claim, owner_claim = self._items[index].claim, self._items[owner].claim
            assert claim is not None and owner_claim is not None and first is not None
            if isinstance(first, Accepted):
                stored = StoredResponse(
                    claim.scope, claim.key, owner_claim.request_hash, first.status_code, first.body
                )
                self._outcomes[index] = replay(stored, claim)
            else:
                self._outcomes[index] = first


def _received(registration: Registration, procedure: str, revision: int) -> DossierReceived:
    return DossierReceived(
        procedure_code=procedure,
        procedure_revision=revision,
        unit_code=registration.unit,
        channel=registration.channel,
        applicant_kind=registration.applicant.kind,
        components=registration.components,
        digitised=registration.digitised,
        result_delivery=registration.result_delivery,
    )


def _unknown_procedure(registration: Registration) -> Rejection:
    code = registration.procedure_code
    return Rejection(
        "invalid",
        "unknown_procedure",
        f"procedure {code!r} is not in the catalogue",
        [FieldError("/procedure_code", "unknown_procedure", f"{code!r} is unknown")],
    )
