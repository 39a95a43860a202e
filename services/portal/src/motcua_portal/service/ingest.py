"""From Kafka to the sync queue: keep the facts the portal needs and queue their dossiers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import Procedures, keep_revisions, procedures_for
from motcua.clock import Clock
from motcua.events import (
    ApplicantErased,
    ApplicantRecorded,
    DossierReceived,
    Envelope,
    Event,
    ProcedureUpdated,
)
from motcua_portal.adapters.store import NewApplicant, NewErasure, NewFact, SyncStore
from motcua_portal.domain import STEP_EVENTS

__all__ = ["KEPT_EVENTS", "Ingest", "fact_data"]

# Tracking's events that shape what the portal is told: the statutory appointment, the
# steps' due times, pauses and re-appointments. The rest (alerts, verdicts) are not sent.
KEPT_EVENTS = STEP_EVENTS | {
    "tracking.deadline-set",
    "tracking.deadline-changed",
    "tracking.apology-issued",
}


class Ingest:
    """Batch handlers of the consumed topics."""

    def __init__(self, clock: Clock, queued: Callable[[], None]) -> None:
        self._clock = clock
        self._queued = queued

    async def on_dossier_events(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        """Intake's and tracking's events: keep the relevant ones, queue their dossiers.
        A reception is kept with the terms of the catalogue revision it names (`procedure`:
        the record's code, name and field come from them)."""
        kept = [e for e in envelopes if e.event_type in KEPT_EVENTS and e.dossier_code]
        procedures = await procedures_for(session, kept)
        facts = [
            NewFact(
                event_id=e.event_id,
                dossier_code=e.dossier_code,
                agency_code=e.agency_code,
                event_type=e.event_type,
                occurred_at=e.occurred_at,
                recorded_at=e.recorded_at,
                data=fact_data(e.data, procedures),
            )
            for e in kept
            if e.dossier_code
        ]
        if await SyncStore(session).keep(facts, self._clock.now()):
            self._queued()

    async def on_applicants(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        """Intake's applicant records: keep each dossier's latest apart from its events,
        apply erasures; a dossier waiting for its applicant is queued again."""
        records = [
            NewApplicant(
                event_id=e.event_id,
                dossier_code=e.dossier_code,
                agency_code=e.agency_code,
                occurred_at=e.occurred_at,
                recorded_at=e.recorded_at,
                applicant=e.data.applicant.model_dump(mode="json"),
                proxy=None if e.data.proxy is None else e.data.proxy.model_dump(mode="json"),
            )
            for e in envelopes
            if isinstance(e.data, ApplicantRecorded) and e.dossier_code
        ]
        erasures = [
            NewErasure(
                dossier_code=e.dossier_code,
                agency_code=e.agency_code,
                reason=e.data.reason,
                occurred_at=e.occurred_at,
                recorded_at=e.recorded_at,
            )
            for e in envelopes
            if isinstance(e.data, ApplicantErased) and e.dossier_code
        ]
        if await SyncStore(session).keep_applicants(records, erasures, self._clock.now()):
            self._queued()

    async def on_procedures(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        """The local catalogue: every procedure gets a row awaiting its national code; every
        revision is kept (receptions name theirs)."""
        await keep_revisions(session, envelopes)
        rows = {
            e.data.procedure.code: e.data.procedure.name
            for e in envelopes
            if isinstance(e.data, ProcedureUpdated)
        }
        await SyncStore(session).keep_procedures(rows)


def fact_data(event: Event, procedures: Procedures) -> dict[str, Any]:
    """An event's data as the portal keeps it: a reception with the terms it follows."""
    data = event.model_dump(mode="json")
    if isinstance(event, DossierReceived):
        data["procedure"] = procedures.of(event).model_dump(mode="json")
    return data
