"""Look-ups: the officials' view of a dossier and the citizen's, behind a second factor.

The citizen gives the last four digits of the phone registered with the dossier; only a
keyed hash of them (salted with the dossier code) is stored, from the applicants' topic.
An unknown code, a dossier without a phone or whose applicant was erased, and a wrong
factor all answer the same "not found". Wrong answers are
counted in PostgreSQL, shared by every instance and kept across restarts, per client (a
keyed digest of its address, never the address) and per code, unknown codes included so
the limit reveals nothing; how they slow a client is `domain.lookup_limits`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from datetime import time as clock_time

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.clock import Clock
from motcua.db import Sessions
from motcua.verdicts import Granularity
from motcua_tracking.adapters.agencies import agency_name, agency_state
from motcua_tracking.adapters.applicants import phone_digest_of
from motcua_tracking.adapters.dossiers import DossierStore
from motcua_tracking.adapters.lookup_failures import (
    forget,
    load_failures,
    lock_failures,
    purge_failures,
    save_failures,
)
from motcua_tracking.adapters.metrics import LOOKUPS
from motcua_tracking.adapters.procedures import procedure_name
from motcua_tracking.adapters.stores import SqlCalendar
from motcua_tracking.domain import TrackedDossier, WorkingCalendar
from motcua_tracking.domain.lookup_limits import LookupLimits, after_failure, wait
from motcua_tracking.service.calendars import CalendarBook
from motcua_tracking.service.views import (
    AgencyOfficeView,
    ApologyView,
    CitizenApologyView,
    CitizenView,
    DossierView,
    HistoryView,
    PauseView,
    ProcedureView,
    StatusView,
    StepView,
)

__all__ = ["Lookups", "TooManyAttempts"]


class TooManyAttempts(Exception):
    """Too many wrong answers recently: the client must wait `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"try again in {retry_after} s")
        self.retry_after = retry_after


class Lookups:
    """Read-only use cases of the HTTP API."""

    def __init__(
        self,
        sessions: Sessions,
        calendars: CalendarBook,
        clock: Clock,
        granularity: Granularity,
        *,
        digest: Callable[[str, str], str | None],
        per_client: LookupLimits,
        per_code: LookupLimits,
        client_key: bytes,
    ) -> None:
        """`digest(code, phone_last4)` is the second factor as the applicants' topic stored
        it (`DossierTracker.digest`)."""
        self._sessions = sessions
        self._calendars = calendars
        self._clock = clock
        self._granularity = granularity
        self._digest = digest
        self._per_client = per_client
        self._per_code = per_code
        self._client_key = client_key

    async def official(self, code: str) -> DossierView | None:
        """The full view of a dossier, or None."""
        found = await self._load(code)
        if found is None:
            return None
        dossier, name, agency = found
        calendar = self._calendars.for_agency(dossier.agency_code)
        view = _official(dossier, name, calendar, self._standing(dossier, calendar))
        return view.model_copy(update={"agency_name": agency})

    async def citizen(self, code: str, phone_last4: str, client: str) -> CitizenView | None:
        """The citizen's view, or None (unknown code or wrong second factor alike);
        `TooManyAttempts` while the client must wait. `client` is its address."""
        subjects = self._subjects(code, client)
        async with self._sessions() as session, session.begin():
            await self._check(session, *subjects)
        expected = self._digest(code, phone_last4) or ""
        async with self._sessions() as session, session.begin():
            stored = await phone_digest_of(session, code)
        found = await self._load(code)
        if found is None or stored is None or not hmac.compare_digest(stored, expected):
            async with self._sessions() as session, session.begin():
                await self._failed(session, *subjects)
            LOOKUPS.labels("not_found").inc()
            return None
        async with self._sessions() as session, session.begin():
            await forget(session, subjects[0])
        LOOKUPS.labels("found").inc()
        dossier, name, _ = found
        calendar = self._calendars.for_agency(dossier.agency_code)
        return _citizen(dossier, name, calendar, self._standing(dossier, calendar))

    def _subjects(self, code: str, client: str) -> tuple[str, str]:
        digest = hmac.new(self._client_key, client.encode(), hashlib.sha256).hexdigest()
        return f"client:{digest[:32]}", f"code:{code}"

    async def _check(self, session: AsyncSession, by_client: str, by_code: str) -> None:
        """Raise `TooManyAttempts` while the client must wait: for its own failures, or,
        once it has failed itself, for the code's."""
        now = self._clock.now()
        records = await load_failures(session, [by_client, by_code])
        mine = records.get(by_client)
        waits = [wait(self._per_client, mine, now)]
        if mine is not None:
            waits.append(wait(self._per_code, records.get(by_code), now))
        longest = max(waits)
        if longest.total_seconds() > 0:
            LOOKUPS.labels("limited").inc()
            raise TooManyAttempts(math.ceil(longest.total_seconds()))

    async def _failed(self, session: AsyncSession, by_client: str, by_code: str) -> None:
        now = self._clock.now()
        records = await lock_failures(session, [by_client, by_code], now)
        await save_failures(
            session,
            {
                by_client: after_failure(self._per_client, records.get(by_client), now),
                by_code: after_failure(self._per_code, records.get(by_code), now),
            },
        )
        forgotten = max(self._per_client.forget_after, self._per_code.forget_after)
        await purge_failures(session, now - forgotten)

    def _standing(self, dossier: TrackedDossier, calendar: WorkingCalendar) -> str | None:
        """Where the open dossier stands now, by the rule every service shares."""
        now = self._clock.now()
        found = dossier.standing(calendar, now, self._granularity)
        return found.value if found else None

    async def office(self, code: str) -> AgencyOfficeView:
        """An agency's name and the office hours its deadlines are computed with."""
        async with self._sessions() as session, session.begin():
            await self._calendars.refresh(SqlCalendar(session))
            state = await agency_state(session, code)
        hours = self._calendars.hours_for(code)
        published = state is not None and bool(state["office_hours"])
        return AgencyOfficeView(
            code=code,
            name=state["name"] if state else None,
            office_hours=[(_hhmm(a), _hhmm(b)) for a, b in hours.periods],
            late_cutoff=None if hours.cutoff is None else _hhmm(hours.cutoff),
            source="published" if published else "settings",
            retired_at=state["retired_at"] if state else None,
            merged_into=state["merged_into"] if state else None,
            merged_on=state["merged_on"] if state else None,
        )

    async def _load(self, code: str) -> tuple[TrackedDossier, str, str | None] | None:
        async with self._sessions() as session, session.begin():
            await self._calendars.refresh(SqlCalendar(session))
            dossier = await DossierStore(session).document(code)
            if dossier is None:
                return None
            name = await procedure_name(session, dossier.terms.code)
            agency = await agency_name(session, dossier.agency_code)
        return dossier, name or dossier.procedure_name, agency


def _official(
    dossier: TrackedDossier, name: str, calendar: WorkingCalendar, standing: str | None
) -> DossierView:
    clock = dossier.clock
    return DossierView(
        code=dossier.code,
        agency_code=dossier.agency_code,
        status=StatusView.of(dossier.status),
        procedure=ProcedureView(code=dossier.terms.code, name=name),
        received_at=clock.received_at,
        counting_from=dossier.counting_from,
        appointment_at=dossier.appointment_at,
        due_at=dossier.due(calendar, until=dossier.finished_at),
        new_appointment_at=dossier.promised_due(calendar, until=dossier.finished_at),
        supplement_policy=clock.policy.value,
        holder_unit=dossier.holder,
        steps=[
            StepView(
                seq=s.seq,
                step_code=s.code,
                unit_code=s.unit_code,
                started_at=s.started_at,
                due_at=s.due_at,
                finished_at=s.finished_at,
                handed_to=s.handed_to,
                verdict=s.verdict.value if s.verdict else None,
                note=s.note,
            )
            for s in dossier.steps
        ],
        pauses=[
            PauseView(requested_at=p.requested_at, resumed_at=p.resumed_at)
            for p in clock.suspensions
        ],
        apology=_apology(dossier, calendar),
        apology_required_at=dossier.apology_required_at,
        escalations=list(dossier.escalations),
        finished_at=dossier.finished_at,
        ended_by=dossier.ended_by,
        verdict=dossier.verdict.value if dossier.verdict else None,
        standing=standing,
        responsible_unit=dossier.responsible_unit,
        result_returned_at=dossier.result_returned_at,
        history=[
            HistoryView(at=h.at, event=h.what, unit_code=h.unit_code, detail=h.detail)
            for h in dossier.history
        ],
        revision=dossier.revision,
    )


def _apology(dossier: TrackedDossier, calendar: WorkingCalendar) -> ApologyView | None:
    item = dossier.clock.reappointment
    if item is None:
        return None
    return ApologyView(
        reason=item.reason,
        original_due_at=dossier.due(calendar, until=dossier.finished_at),
        new_appointment_at=item.due_at,
        filed_at=item.issued_at,
        late=item.issued_late,
    )


def _citizen(
    dossier: TrackedDossier, name: str, calendar: WorkingCalendar, standing: str | None
) -> CitizenView:
    item = dossier.clock.reappointment
    return CitizenView(
        code=dossier.code,
        status=StatusView.of(dossier.status),
        procedure_name=name,
        received_at=dossier.clock.received_at,
        appointment_at=dossier.due(calendar, until=dossier.finished_at),
        new_appointment_at=dossier.promised_due(calendar, until=dossier.finished_at),
        awaiting_supplement=dossier.is_open and dossier.clock.is_suspended,
        standing=standing,
        apology=CitizenApologyView(
            reason=item.reason, new_appointment_at=item.due_at, filed_at=item.issued_at
        )
        if item
        else None,
        finished_at=dossier.finished_at,
    )


def _hhmm(moment: clock_time) -> str:
    return moment.strftime("%H:%M")
