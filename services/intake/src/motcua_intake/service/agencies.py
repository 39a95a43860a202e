"""Administering agencies and their units: create or replace, merge, retire, publish.

Every change is stored and staged as `AgencyUpdated` (the agency's whole state, keyed by
its code) in one transaction, and the in-memory directory is reloaded after the commit.
A merge also binds the absorbed agency's API keys to the absorbing one and hands it the
procedures the absorbed agency was competent for (republished as `ProcedureUpdated`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.clock import Clock
from motcua.events import AgencyUnit, AgencyUpdated, Envelope, OfficePeriod, ProcedureUpdated
from motcua.http import Line
from motcua.messaging import notify, stage
from motcua_intake.adapters import agency_store, catalogue_store
from motcua_intake.adapters.catalogue_store import StoredProcedure
from motcua_intake.domain.agencies import (
    DEFAULT_CUTOFF,
    DEFAULT_HOURS,
    Agency,
    AgencyKind,
    AgencyLevel,
    OrgUnit,
    Province,
)
from motcua_intake.domain.json_reader import CatalogueError
from motcua_intake.domain.offices import OfficeConflict, merged, retired, revised
from motcua_intake.domain.procedures import UnitRole, parse_procedure
from motcua_intake.service.access import KeyService
from motcua_intake.service.agency_documents import agency_json
from motcua_intake.service.catalogue import terms_of
from motcua_intake.service.directory import Directory
from motcua_intake.service.errors import FieldError, Rejection, pointer_of

__all__ = [
    "DIRECTORY_CHANNEL",
    "AgencyBody",
    "AgencyService",
    "MergeBody",
    "RetireBody",
    "published_state",
]

log = logging.getLogger(__name__)
PRODUCER = "intake"
DIRECTORY_CHANNEL = "intake_agencies"
"""NOTIFY channel: every instance reloads its directory when an agency changes."""
FOLLOW_SECONDS = 60.0

Text = Annotated[Line, Field(min_length=1, max_length=500)]
Clock24 = Annotated[Line, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitBody(_Body):
    """A unit of the agency."""

    code: Annotated[Line, Field(min_length=1, max_length=64)]
    name: Text
    role: Literal["one_stop", "specialist", "leader", "external"]


class AgencyBody(_Body):
    """An agency's whole state (`PUT /v1/agencies/{code}`): a rename is a PUT with a new name."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Sở Xây dựng",
                    "level": "province",
                    "kind": "department",
                    "units": [
                        {"code": "SXD.MC", "name": "Bộ phận Một cửa", "role": "one_stop"},
                        {
                            "code": "SXD.QLXD",
                            "name": "Phòng Quản lý xây dựng",
                            "role": "specialist",
                        },
                    ],
                    "office_hours": [["07:30", "11:30"], ["13:00", "17:00"]],
                    "late_cutoff": "15:00",
                    "procedures": ["1.001599"],
                }
            ]
        },
    )

    name: Text
    level: Literal["province", "district", "commune"]
    kind: Literal["service_centre", "department", "commune", "district"]
    parent: Annotated[Line, Field(min_length=1, max_length=64)] | None = None
    units: Annotated[list[UnitBody], Field(min_length=1, max_length=200)]
    office_hours: Annotated[list[tuple[Clock24, Clock24]], Field(min_length=1, max_length=6)] = (
        Field(
            default_factory=lambda: [
                (s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in DEFAULT_HOURS
            ],
            description='Local office periods, e.g. [["07:30", "11:30"], ["13:00", "17:00"]].',
        )
    )
    late_cutoff: Clock24 | None = Field(
        default=DEFAULT_CUTOFF.strftime("%H:%M"),
        description="A reception after this time counts from the next working day; null: none.",
    )
    procedures: Annotated[list[Annotated[Line, Field(max_length=64)]], Field(max_length=2000)] = (
        Field(default_factory=list, description="Codes of the procedures it receives.")
    )


class MergeBody(_Body):
    """Merge this agency into another from a local date."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"into": "SXD", "on": "2026-07-01"}]},
    )

    into: Annotated[Line, Field(min_length=1, max_length=64)]
    on: date = Field(description="From this local date the absorbing agency counts its dossiers.")


class RetireBody(_Body):
    """Retire an agency: it takes no dossier received from `at` (now by default)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"at": "2026-07-01T00:00:00+07:00"}]},
    )

    at: AwareDatetime | None = None


def published_state(agency: Agency, now: datetime) -> Envelope:
    """The agency's whole state as an `AgencyUpdated` envelope."""
    event = AgencyUpdated(
        code=agency.code,
        name=agency.name,
        level=agency.level.value,
        kind=agency.kind.value,
        parent=agency.parent,
        units=tuple(AgencyUnit(code=u.code, name=u.name, role=u.role.value) for u in agency.units),
        office_hours=tuple(OfficePeriod(start=s, end=e) for s, e in agency.office_hours),
        late_cutoff=agency.late_cutoff,
        procedures=agency.procedures,
        retired_at=agency.retired_at,
        merged_into=agency.merged_into,
        merged_on=agency.merged_on,
        revision=agency.revision,
    )
    return Envelope.wrap(
        event,
        producer=PRODUCER,
        occurred_at=now,
        now=now,
        dossier_code=None,
        agency_code=agency.code,
    )


def _agency(code: str, body: AgencyBody) -> Agency:
    try:
        return Agency(
            code=code,
            name=body.name,
            level=AgencyLevel(body.level),
            kind=AgencyKind(body.kind),
            parent=body.parent,
            units=tuple(OrgUnit(u.code, u.name, UnitRole(u.role)) for u in body.units),
            procedures=tuple(body.procedures),
            office_hours=tuple(
                (time.fromisoformat(s), time.fromisoformat(e)) for s, e in body.office_hours
            ),
            late_cutoff=None if body.late_cutoff is None else time.fromisoformat(body.late_cutoff),
        )
    except CatalogueError as error:
        raise Rejection(
            "invalid",
            "invalid_agency",
            str(error),
            [FieldError(pointer_of(error.path), "invalid_agency", error.problem)],
        ) from None


class AgencyService:
    """Creates, replaces, merges and retires agencies; publishes each state."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        directory: Directory,
        keys: KeyService,
        topic: str | None = None,
        catalogue_topic: str | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._directory = directory
        self._keys = keys
        self._topic = topic
        self._catalogue_topic = catalogue_topic

    async def seed(self, province: Province) -> None:
        """Store the seed agencies that are absent (the initial state, not the only source),
        publish every state not yet published, and load the directory. Idempotent."""
        async with self._engine.begin() as conn:
            await agency_store.insert_absent(conn, province.agencies)
            waiting = await agency_store.unpublished(conn)
            now = self._clock.now()
            await stage(conn, *(published_state(a, now) for a in waiting), topic=self._topic)
            await agency_store.mark_published(conn, [a.code for a in waiting])
        if waiting:
            log.info("agencies published", extra={"agencies": len(waiting)})
        self._directory.province = province.code
        await self.reload()

    async def reload(self) -> None:
        """Hold the stored agencies in the directory (after a change, or from another instance)."""
        async with self._engine.connect() as conn:
            self._directory.hold(await agency_store.all_agencies(conn))

    async def follow(self) -> float:
        """One pass of the directory loop: reload, then wait for a change (or a minute)."""
        await self.reload()
        return FOLLOW_SECONDS

    def agency(self, code: str) -> dict[str, Any]:
        """One agency, retired ones included, or 404."""
        found = self._directory.agency(code)
        if found is None:
            raise _unknown(code)
        return agency_json(found)

    async def put(self, code: str, body: AgencyBody) -> tuple[bool, dict[str, Any]]:
        """Create or replace an agency; returns (created, state). An unchanged body is a no-op."""
        proposed = _agency(code, body)
        async with self._engine.begin() as conn:
            current = (await agency_store.lock_agencies(conn, [code])).get(code)
            self._check_references(proposed, code)
            with _conflicts():
                changed = revised(current, proposed)
            if changed is None or current == changed:
                return False, agency_json(current or proposed)
            await self._write(conn, [changed])
        await self.reload()
        log.info("agency saved", extra={"agency": code, "revision": changed.revision})
        return current is None, agency_json(changed)

    async def merge(self, code: str, body: MergeBody) -> dict[str, Any]:
        """Merge agency `code` into `body.into` from `body.on`; returns both states."""
        async with self._engine.begin() as conn:
            found = await agency_store.lock_agencies(conn, [code, body.into])
            if code not in found:
                raise _unknown(code)
            if body.into not in found:
                raise Rejection(
                    "invalid",
                    "unknown_agency",
                    f"agency {body.into!r} is unknown",
                    [FieldError("/into", "unknown_agency", f"{body.into!r} is unknown")],
                )
            with _conflicts():
                gone, grown = merged(found[code], found[body.into], body.on)
            await self._write(conn, [gone, grown])
            keys = await agency_store.rebind_keys(conn, code, body.into)
            await agency_store.move_idempotency_keys(conn, code, body.into)
            moved = await self._hand_over_procedures(conn, code, body.into)
        await self.reload()
        self._keys.forget()
        log.info(
            "agencies merged",
            extra={"agency": code, "into": body.into, "keys": keys, "procedures": len(moved)},
        )
        return {"absorbed": agency_json(gone), "absorber": agency_json(grown)}

    async def retire(self, code: str, body: RetireBody) -> dict[str, Any]:
        """Retire agency `code` from `body.at` (now by default)."""
        at = body.at or self._clock.now()
        async with self._engine.begin() as conn:
            current = (await agency_store.lock_agencies(conn, [code])).get(code)
            if current is None:
                raise _unknown(code)
            with _conflicts():
                gone = retired(current, at)
            await self._write(conn, [gone])
        await self.reload()
        log.info("agency retired", extra={"agency": code})
        return agency_json(gone)

    async def _write(self, conn: AsyncConnection, changed: list[Agency]) -> None:
        await agency_store.save(conn, changed)
        await notify(conn, DIRECTORY_CHANNEL)
        now = self._clock.now()
        await stage(conn, *(published_state(a, now) for a in changed), topic=self._topic)

    async def _hand_over_procedures(
        self, conn: AsyncConnection, absorbed: str, absorber: str
    ) -> list[str]:
        codes = await agency_store.move_competence(conn, absorbed)
        entries = await catalogue_store.load_procedures(conn, codes)
        now = self._clock.now()
        staged = []
        for code in codes:
            entry = entries[code]
            document = {**entry.document, "competent_agency": absorber}
            revised_entry = StoredProcedure(code, document, entry.revision + 1)
            await catalogue_store.save_procedure(conn, revised_entry)
            staged.append(_procedure_state(revised_entry, now))
        await stage(conn, *staged, topic=self._catalogue_topic)
        return codes

    def _known(self, code: str) -> bool:
        return self._directory.agency(code) is not None

    def _check_references(self, proposed: Agency, code: str) -> None:
        errors = []
        parent = proposed.parent
        if parent is not None and parent != self._directory.province and not self._known(parent):
            errors.append(
                FieldError("/parent", "unknown_agency", f"{proposed.parent!r} is unknown")
            )
        for index, unit in enumerate(proposed.units):
            owner = self._directory.agency_of_unit(unit.code)
            if owner is not None and owner != code:
                errors.append(
                    FieldError(
                        f"/units/{index}/code",
                        "unit_taken",
                        f"unit {unit.code!r} belongs to {owner}",
                    )
                )
        if errors:
            raise Rejection("invalid", errors[0].code, errors[0].detail, errors)


def _procedure_state(entry: StoredProcedure, now: datetime) -> Envelope:
    procedure = parse_procedure(entry.document)
    event = ProcedureUpdated(
        procedure=terms_of(procedure),
        competent_agency=procedure.competent_agency,
        fee_vnd=procedure.fee_vnd,
        revision=entry.revision,
    )
    return Envelope.wrap(
        event,
        producer=PRODUCER,
        occurred_at=now,
        now=now,
        dossier_code=None,
        agency_code=procedure.competent_agency,
    )


@contextlib.contextmanager
def _conflicts() -> Iterator[None]:
    try:
        yield
    except OfficeConflict as conflict:
        raise Rejection("conflict", conflict.code, conflict.detail) from None


def _unknown(code: str) -> Rejection:
    return Rejection("not_found", "agency_not_found", f"agency {code!r} is unknown")
