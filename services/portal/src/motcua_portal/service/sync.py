"""The sync: take due dossiers from the durable queue, rebuild each from its facts, and
bring the portal up to date: the record (DongBoHoSoMC, create or update) then every step
not yet acknowledged (CapNhatTienDoHoSoMC), N dossiers per call.

Order per dossier: a dossier is held by one pass at a time (a lease, SKIP LOCKED), and a
pass always sends the state rebuilt from every fact stored when it began, so an older
state is never sent after a newer one; events arriving meanwhile leave a newer revision
in the queue, sent by the next pass (coalesced: one send for many events).

A dossier is created on the portal once its reception and its applicant record are
both known: the applicant travels apart (`ApplicantRecorded`, another topic), so a
dossier whose record has not come yet is held, its changes coalescing behind it, until
the record's arrival queues it again. A dossier whose applicant was erased before the
portal ever had it is sent all the same, its personal fields empty (the national index
needs the dossier).

Failures: a reply about one dossier (rejected, garbage, not found) in a batch splits the
batch, so only that dossier is held back; it backs off (exponential, jittered) and after
`max_attempts` is dead-lettered with the portal's reply. An outage (5xx, timeout,
session refused) backs off every dossier it met, never dead-letters them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from motcua.clock import Clock, clock_speed
from motcua.db import Sessions
from motcua.metrics import DEAD_LETTERED
from motcua_portal.adapters.dvcqg import Portal
from motcua_portal.adapters.metrics import FAILURES, SYNC_LAG, SYNCED, failure_label
from motcua_portal.adapters.store import Acknowledged, Applicants, Claim, SyncStore
from motcua_portal.domain import (
    Fact,
    NationalProcedure,
    Outcome,
    Reply,
    digest,
    next_attempt_at,
    progress_entries,
    rebuild,
    record,
)
from motcua_portal.settings import PortalSettings

__all__ = ["SyncWorker"]

log = logging.getLogger(__name__)

_PER_DOSSIER = (Outcome.REJECTED, Outcome.GARBAGE, Outcome.NOT_FOUND)
_SHORTEST_PAUSE = 0.05


@dataclass(slots=True)
class _Job:
    claim: Claim
    unit: str
    record: dict[str, Any]
    record_digest: str
    push_record: bool
    on_portal: bool
    steps: list[tuple[int, str, str, dict[str, Any]]]
    every_step: list[tuple[int, str, str, dict[str, Any]]] = field(default_factory=list)
    failure: Reply | None = None
    replies: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.claim.code


@dataclass(frozen=True, slots=True)
class _Stored:
    """What a pass reads of its claimed dossiers."""

    facts: dict[str, list[Fact]]
    dossiers: dict[str, Any]
    applicants: Applicants
    sent: dict[str, dict[str, str]]
    procedures: dict[str, NationalProcedure]
    units: dict[str, str]


class SyncWorker:
    """Passes over the sync queue, run as a background task of the app."""

    def __init__(
        self,
        sessions: Sessions,
        portal: Portal,
        settings: PortalSettings,
        clock: Clock,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self._sessions = sessions
        self._portal = portal
        self._settings = settings.sync
        self._clock = clock
        self._draw = draw
        self._wakes: list[asyncio.Event] = []
        self._next_due: datetime | None = None

    def wake(self) -> None:
        """Look at the queue now (new events were queued)."""
        for event in self._wakes:
            event.set()

    def wake_event(self) -> asyncio.Event:
        """An event of one pass loop's own, set by `wake` (each loop clears its own)."""
        event = asyncio.Event()
        self._wakes.append(event)
        return event

    async def step(self) -> float:
        """One pass, as a supervised loop's step: at once again after a pass that took
        dossiers; after one that found nothing, a pause until a wake-up (events queued),
        the next dossier coming due, or at most the poll interval."""
        return 0.0 if await self.pass_once() else self._idle_pause()

    def _idle_pause(self) -> float:
        """Real seconds until the earliest pending dossier comes due (as the last pass that
        found nothing saw it), at most the poll."""
        poll = self._settings.idle_poll_seconds
        due, self._next_due = self._next_due, None
        if due is None:
            return poll
        wait = (due - self._clock.now()).total_seconds() / clock_speed(self._clock)
        return min(max(wait, _SHORTEST_PAUSE), poll)

    async def pass_once(self) -> int:
        """One pass: claim, plan, send, record. Returns how many dossiers it took."""
        now = self._clock.now()
        lease = now + timedelta(seconds=self._settings.lease_seconds)
        # The claim and what the plan reads share a transaction (fewer round trips).
        async with self._sessions() as session, session.begin():
            store = SyncStore(session)
            claims = await store.claim(now, lease, self._settings.claim_size)
            if not claims:
                self._next_due = await store.next_due()
                return 0
            stored = await self._read(store, claims)
        jobs, held = self._plan(claims, stored)
        await self._lookup(jobs)
        await self._push_records(jobs)
        await self._push_progress(jobs)
        await self._finish(jobs, held)
        return len(claims)

    @staticmethod
    async def _read(store: SyncStore, claims: list[Claim]) -> _Stored:
        codes = [c.code for c in claims]
        dossiers = await store.dossiers(codes)
        return _Stored(
            facts=await store.facts(codes),
            dossiers=dossiers,
            applicants=await store.applicants(codes),
            sent=await store.sent_progress(codes),
            procedures=await store.national_procedures(
                {d.procedure_code for d in dossiers.values() if d.procedure_code}
            ),
            units=await store.unit_codes(
                {d.agency_code for d in dossiers.values() if d.agency_code}
            ),
        )

    def _plan(
        self, claims: list[Claim], stored: _Stored
    ) -> tuple[list[_Job], list[tuple[Claim, str]]]:
        facts, dossiers, sent = stored.facts, stored.dossiers, stored.sent
        procedures, units = stored.procedures, stored.units
        jobs: list[_Job] = []
        held: list[tuple[Claim, str]] = []
        for claim in claims:
            row = dossiers.get(claim.code)
            agency = row.agency_code if row is not None else None
            history = rebuild(claim.code, agency, facts.get(claim.code, []))
            if row is None or not history.ready:
                held.append((claim, "awaiting_reception"))
                continue
            applicant = stored.applicants.recorded.get(claim.code)
            if applicant is None and claim.code not in stored.applicants.erased:
                held.append((claim, "awaiting_applicant"))
                continue
            national = procedures.get(history.procedure_code)
            if national is None:
                if self._settings.unmapped_procedure == "hold":
                    held.append((claim, "procedure_unmapped"))
                    continue
                national = NationalProcedure(history.procedure_code, history.procedure_name)
            unit = units.get(agency or "") or self._settings.default_unit_code or agency or ""
            # An erased applicant (None) leaves the record's personal fields empty.
            payload = record(history, national, applicant)
            payload_digest = digest(payload)
            acknowledged = sent.get(claim.code, {})
            every_step = [
                (position, key, digest(entry), entry)
                for position, (key, entry) in enumerate(progress_entries(history))
            ]
            steps = every_step
            if not claim.force:
                steps = [s for s in steps if acknowledged.get(s[1]) != s[2]]
            jobs.append(
                _Job(
                    claim=claim,
                    unit=unit,
                    record=payload,
                    record_digest=payload_digest,
                    push_record=claim.force or payload_digest != row.record_digest,
                    on_portal=bool(row.on_portal),
                    steps=steps,
                    every_step=every_step,
                )
            )
        return jobs, held

    async def _lookup(self, jobs: list[_Job]) -> None:
        if not self._settings.lookup_before_create:
            return
        # The portal can have a dossier this service never heard it acknowledge only if
        # an earlier attempt may have reached it (a timeout, an outage, a lost reply) or
        # an administrator asks for it again; a first create needs no question ("đã tồn
        # tại" turns it into an update all the same).
        unknown = [
            j
            for j in jobs
            if j.push_record and not j.on_portal and (j.claim.attempts > 0 or j.claim.force)
        ]

        async def look(job: _Job) -> None:
            reply = await self._portal.lookup(job.unit, job.code)
            if reply.ok:
                data = (reply.body or {}).get("data")
                job.on_portal = bool(data)
            elif reply.outcome is not Outcome.NOT_FOUND:
                job.failure = reply

        await self._together(look(j) for j in unknown)

    async def _together(self, calls: Iterable[Awaitable[None]]) -> None:
        """Run calls to the portal, at most `concurrency` at once."""
        limit = asyncio.Semaphore(self._settings.concurrency)

        async def bounded(call: Awaitable[None]) -> None:
            async with limit:
                await call

        await asyncio.gather(*(bounded(call) for call in calls))

    async def _push_records(self, jobs: list[_Job]) -> None:
        waiting = [j for j in jobs if j.failure is None and j.push_record]
        # Creates, then updates: a dossier is in one of them, in one chunk (chosen before
        # the creates, which put their dossiers on the portal, are sent).
        creates = [j for j in waiting if not j.on_portal]
        updates = [j for j in waiting if j.on_portal]
        for chosen, updating in ((creates, False), (updates, True)):
            await self._together(self._send_records(c, updating) for c in self._chunks(chosen))

    async def _send_records(
        self, chunk: list[_Job], updating: bool, switched: bool = False
    ) -> None:
        reply = await self._portal.push_dossiers(chunk[0].unit, [j.record for j in chunk], updating)
        if reply.ok:
            for job in chunk:
                job.on_portal = True
                job.replies.append(reply.raw)
            return
        if len(chunk) > 1 and (reply.outcome in _PER_DOSSIER or reply.outcome is Outcome.EXISTS):
            for job in chunk:
                await self._send_records([job], updating, switched)
            return
        # "Already there" turns a create into an update; "not there" (the portal lost it,
        # or an earlier create was never stored) an update into a create. Once each way.
        wrong_way = (Outcome.EXISTS, False) if not updating else (Outcome.NOT_FOUND, True)
        if not switched and (reply.outcome, updating) == wrong_way:
            if updating:
                for job in chunk:  # created anew: its whole history goes again
                    job.steps = job.every_step
            await self._send_records(chunk, not updating, switched=True)
            return
        for job in chunk:
            job.failure = reply

    async def _push_progress(self, jobs: list[_Job]) -> None:
        waiting = [j for j in jobs if j.failure is None and j.steps]
        await self._together(self._send_progress(chunk) for chunk in self._chunks(waiting))

    async def _send_progress(self, chunk: list[_Job]) -> None:
        entries = [entry for job in chunk for *_, entry in job.steps]
        reply = await self._portal.push_progress(chunk[0].unit, entries)
        if reply.ok:
            for job in chunk:
                job.replies.append(reply.raw)
            return
        if len(chunk) > 1 and reply.outcome in _PER_DOSSIER:
            for job in chunk:
                await self._send_progress([job])
            return
        for job in chunk:
            job.failure = reply

    def _chunks(self, jobs: Sequence[_Job]) -> list[list[_Job]]:
        """Batches of N dossiers of one unit (madonvi goes once per call)."""
        by_unit: dict[str, list[_Job]] = {}
        for job in jobs:
            by_unit.setdefault(job.unit, []).append(job)
        size = self._settings.batch_size
        return [
            group[start : start + size]
            for group in by_unit.values()
            for start in range(0, len(group), size)
        ]

    async def _finish(self, jobs: list[_Job], held: list[tuple[Claim, str]]) -> None:
        now = self._clock.now()
        dead: list[str] = []
        async with self._sessions() as session, session.begin():
            store = SyncStore(session)
            await store.hold(held)
            done = [
                Acknowledged(
                    job.claim,
                    job.record if job.push_record else None,
                    job.record_digest if job.push_record else None,
                    job.steps,
                    "\n".join(job.replies),
                )
                for job in jobs
                if job.failure is None
            ]
            await store.acknowledged_all(done, now)
            acknowledged_at = await store.real_now()
            lags = [max((acknowledged_at - d.claim.arrived_at).total_seconds(), 0.0) for d in done]
            for job in jobs:
                if job.failure is None:
                    continue
                reply = job.failure
                attempts = job.claim.attempts + 1
                gives_up = reply.outcome in _PER_DOSSIER and attempts >= self._settings.max_attempts
                await store.failed(
                    job.claim,
                    due_at=self._backoff(now, attempts),
                    now=now,
                    code=reply.code,
                    reply=reply.raw or reply.message,
                    dead=gives_up,
                )
                FAILURES.labels(failure_label(reply.code)).inc()
                if gives_up:
                    dead.append(job.code)
        for lag in lags:
            SYNC_LAG.observe(lag)
        SYNCED.inc(len(lags))
        if dead:
            DEAD_LETTERED.labels("portal", "portal_rejected").inc(len(dead))
            log.warning(
                "dossiers dead-lettered after repeated portal refusals", extra={"count": len(dead)}
            )

    def _backoff(self, now: datetime, attempts: int) -> datetime:
        return next_attempt_at(
            now,
            attempts,
            self._settings.backoff_initial_seconds,
            self._settings.backoff_max_seconds,
            self._draw(),
        )
