"""The procedure catalogue: seeding, reading, editing, publishing.

Every change of a procedure (the initial seeding included) publishes `ProcedureUpdated`
through the outbox, on the compacted topic keyed by procedure code.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.clock import Clock
from motcua.events import Envelope, ProcedureTerms, ProcedureUpdated, ProcessingTime, ProcessStep
from motcua.messaging import stage
from motcua_intake.adapters import catalogue_store
from motcua_intake.adapters.catalogue_store import StoredProcedure
from motcua_intake.domain.json_reader import CatalogueError
from motcua_intake.domain.procedures import (
    COMMUNE_AUTHORITY,
    Procedure,
    load_seed_procedures,
    parse_procedure,
)
from motcua_intake.service.agency_documents import agency_json
from motcua_intake.service.commands import ProcedureBody
from motcua_intake.service.directory import Directory
from motcua_intake.service.errors import FieldError, Rejection, pointer_of

__all__ = ["CatalogueService", "document_of", "procedure_terms", "terms_of"]

log = logging.getLogger(__name__)
PRODUCER = "intake"


def document_of(procedure: Procedure) -> dict[str, Any]:
    """A procedure as JSON, in the format of the seed catalogue (decimals as strings)."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field,
        "level": procedure.level.value,
        "competent_agency": procedure.competent_agency,
        "processing_time": _time(procedure.processing_time),
        "late_cutoff": None
        if procedure.late_cutoff is None
        else procedure.late_cutoff.strftime("%H:%M"),
        "online_eligible": procedure.online_eligible,
        "has_fee": procedure.has_fee,
        "fee_vnd": procedure.fee_vnd,
        "steps": [
            {
                "code": step.code,
                "name": step.name,
                "unit_role": step.unit_role.value,
                "allotted": _time(step.allotted),
            }
            for step in procedure.steps
        ],
    }


def _time(value: Any) -> dict[str, str]:
    return {"unit": value.unit.value, "amount": str(value.amount)}


def terms_of(procedure: Procedure) -> ProcedureTerms:
    """What a dossier keeps of its procedure at reception (the contract's snapshot)."""
    return ProcedureTerms(
        code=procedure.code,
        name=procedure.name,
        field=procedure.field,
        level=procedure.level.value,
        processing_time=ProcessingTime(
            unit=procedure.processing_time.unit.value, amount=procedure.processing_time.amount
        ),
        steps=tuple(
            ProcessStep(
                code=step.code,
                name=step.name,
                unit_role=step.unit_role.value,
                allotted=ProcessingTime(unit=step.allotted.unit.value, amount=step.allotted.amount),
            )
            for step in procedure.steps
        ),
        late_cutoff=procedure.late_cutoff,
        online_eligible=procedure.online_eligible,
        has_fee=procedure.has_fee,
    )


def _published(procedure: Procedure, revision: int, now: datetime) -> Envelope:
    event = ProcedureUpdated(
        procedure=terms_of(procedure),
        competent_agency=procedure.competent_agency,
        fee_vnd=procedure.fee_vnd,
        revision=revision,
    )
    agency = None if procedure.competent_agency == COMMUNE_AUTHORITY else procedure.competent_agency
    return Envelope.wrap(
        event, producer=PRODUCER, occurred_at=now, now=now, dossier_code=None, agency_code=agency
    )


class CatalogueService:
    """Reads and edits the catalogue; seeds it and the agencies at start-up."""

    def __init__(
        self, engine: AsyncEngine, clock: Clock, directory: Directory, topic: str | None = None
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._directory = directory
        self._topic = topic

    async def seed(self) -> None:
        """Store the seed procedures that are absent (after the agencies are seeded).

        Idempotent; each procedure inserted now is published once.
        """
        now = self._clock.now()
        async with self._engine.begin() as conn:
            seeds = {p.code: p for p in load_seed_procedures()}
            inserted = await catalogue_store.insert_absent_procedures(
                conn, [StoredProcedure(c, document_of(p), 1) for c, p in seeds.items()]
            )
            await stage(
                conn, *(_published(seeds[code], 1, now) for code in inserted), topic=self._topic
            )
        if inserted:
            log.info("catalogue seeded", extra={"procedures": len(inserted)})

    async def procedures(self) -> list[dict[str, Any]]:
        """The whole catalogue."""
        async with self._engine.connect() as conn:
            entries = await catalogue_store.list_procedures(conn)
        return [_entry(e) for e in entries]

    async def procedure(self, code: str) -> dict[str, Any]:
        """One entry, or 404."""
        async with self._engine.connect() as conn:
            found = (await catalogue_store.load_procedures(conn, [code])).get(code)
        if found is None:
            raise _unknown(code)
        return _entry(found)

    async def put(self, code: str, body: ProcedureBody) -> tuple[bool, dict[str, Any]]:
        """Create or replace an entry; returns (created, entry). An unchanged body is a no-op."""
        procedure = self._checked(code, body)
        document = document_of(procedure)
        async with self._engine.begin() as conn:
            current = await catalogue_store.lock_procedure(conn, code)
            if current is not None and current.document == document:
                return False, _entry(current)
            revision = 1 if current is None else current.revision + 1
            entry = StoredProcedure(code, document, revision)
            await catalogue_store.save_procedure(conn, entry)
            await stage(conn, _published(procedure, revision, self._clock.now()), topic=self._topic)
        log.info("procedure saved", extra={"procedure": code, "revision": revision})
        return current is None, _entry(entry)

    def agencies(self) -> list[dict[str, Any]]:
        """The agencies and their units."""
        return [agency_json(a) for a in self._directory.agencies]

    def _checked(self, code: str, body: ProcedureBody) -> Procedure:
        try:
            procedure = parse_procedure({**body.model_dump(mode="json"), "code": code})
        except CatalogueError as error:
            raise Rejection(
                "invalid",
                "invalid_procedure",
                str(error),
                [FieldError(pointer_of(error.path), "invalid_procedure", error.problem)],
            ) from None
        authority = procedure.competent_agency
        if authority != COMMUNE_AUTHORITY and self._directory.agency(authority) is None:
            raise Rejection(
                "invalid",
                "unknown_agency",
                f"agency {authority!r} is unknown",
                [FieldError("/competent_agency", "unknown_agency", f"{authority!r} is unknown")],
            )
        return procedure


def _entry(stored: StoredProcedure) -> dict[str, Any]:
    return {**stored.document, "revision": stored.revision}


def _unknown(code: str) -> Rejection:
    return Rejection(
        "not_found", "procedure_not_found", f"procedure {code!r} is not in the catalogue"
    )


async def procedure_terms(
    conn: AsyncConnection, codes: set[str], cache: dict[tuple[str, int], ProcedureTerms]
) -> dict[str, tuple[int, ProcedureTerms]]:
    """The current revision and terms of the stored procedures among `codes` (parsed once
    per revision)."""
    stored = await catalogue_store.load_procedures(conn, codes)
    terms = {}
    for code, entry in stored.items():
        key = (code, entry.revision)
        if key not in cache:
            cache[key] = terms_of(parse_procedure(entry.document))
        terms[code] = (entry.revision, cache[key])
    return terms
