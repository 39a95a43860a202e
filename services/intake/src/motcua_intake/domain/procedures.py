"""Administrative procedures: statutory processing time and the internal process (brief §2)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from enum import StrEnum
from functools import partial
from importlib.resources import files

from motcua_intake.domain.json_reader import CatalogueError, JsonObject, as_object

__all__ = [
    "COMMUNE_AUTHORITY",
    "DEFAULT_LATE_CUTOFF",
    "AdministrativeLevel",
    "Procedure",
    "ProcessStep",
    "ProcessingTime",
    "TimeUnit",
    "UnitRole",
    "load_seed_procedures",
    "parse_procedure",
    "parse_procedures",
]

DEFAULT_LATE_CUTOFF = time(15, 0)
# Commune procedures are decided by the People's Committee of the commune where
# the dossier is filed, not by one named agency.
COMMUNE_AUTHORITY = "COMMUNE"

_CUTOFF = re.compile(r"(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])")


class TimeUnit(StrEnum):
    """How a time limit is counted."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    WITHIN_DAY = "within_day"


class AdministrativeLevel(StrEnum):
    """The level of government that settles a procedure (no district level since 2025)."""

    PROVINCE = "province"
    COMMUNE = "commune"


class UnitRole(StrEnum):
    """The kind of unit that carries out a step of the internal process."""

    ONE_STOP = "one_stop"
    SPECIALIST = "specialist"
    LEADER = "leader"
    EXTERNAL = "external"


@dataclass(frozen=True, slots=True)
class ProcessingTime:
    """A time limit; "within_day" always has amount 1 (due at the close of the day)."""

    unit: TimeUnit
    amount: Decimal

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise CatalogueError("amount", "must be greater than 0")
        if self.unit is TimeUnit.WITHIN_DAY and self.amount != 1:
            raise CatalogueError("amount", 'must be "1" when the unit is within_day')

    @property
    def step_unit(self) -> TimeUnit:
        """The unit the steps' allotments are counted in; a day's steps share it in days."""
        if self.unit is TimeUnit.WITHIN_DAY:
            return TimeUnit.WORKING_DAYS
        return self.unit


@dataclass(frozen=True, slots=True)
class ProcessStep:
    """One step of the internal process (quy trình nội bộ) and its allotted time."""

    code: str
    name: str
    unit_role: UnitRole
    allotted: ProcessingTime

    def __post_init__(self) -> None:
        if self.allotted.unit is TimeUnit.WITHIN_DAY:
            raise CatalogueError("allotted.unit", "a step is allotted working days or hours")


@dataclass(frozen=True, slots=True)
class Procedure:
    """An administrative procedure as published, with its approved internal process."""

    code: str
    name: str
    field: str
    level: AdministrativeLevel
    competent_agency: str
    processing_time: ProcessingTime
    late_cutoff: time | None
    online_eligible: bool
    has_fee: bool
    fee_vnd: int
    steps: tuple[ProcessStep, ...]

    def __post_init__(self) -> None:
        self._check_authority()
        self._check_fee()
        self._check_steps()

    @property
    def unit_roles(self) -> frozenset[UnitRole]:
        """The kinds of unit the internal process passes through."""
        return frozenset(step.unit_role for step in self.steps)

    def _check_authority(self) -> None:
        for_commune = self.competent_agency == COMMUNE_AUTHORITY
        if for_commune != (self.level is AdministrativeLevel.COMMUNE):
            raise CatalogueError(
                "competent_agency",
                f"must be {COMMUNE_AUTHORITY!r} exactly when the level is commune",
            )

    def _check_fee(self) -> None:
        if self.fee_vnd < 0:
            raise CatalogueError("fee_vnd", "must not be negative")
        if self.has_fee != (self.fee_vnd > 0):
            raise CatalogueError("fee_vnd", "must be positive exactly when has_fee is true")

    def _check_steps(self) -> None:
        if not self.steps:
            raise CatalogueError("steps", "must list at least one step")
        seen: set[str] = set()
        for index, step in enumerate(self.steps):
            if step.code in seen:
                raise CatalogueError(f"steps[{index}].code", f"{step.code!r} is repeated")
            seen.add(step.code)
            if step.allotted.unit is not self.processing_time.step_unit:
                raise CatalogueError(
                    f"steps[{index}].allotted.unit",
                    f"must be {self.processing_time.step_unit.value} like the total",
                )
        total = sum((step.allotted.amount for step in self.steps), Decimal(0))
        if total != self.processing_time.amount:
            raise CatalogueError(
                "steps",
                f"allotments sum to {total} {self.processing_time.step_unit.value}, "
                f"not the processing time of {self.processing_time.amount}",
            )


def _parse_time(obj: JsonObject) -> ProcessingTime:
    unit = obj.choice("unit", TimeUnit)
    amount = obj.decimal("amount")
    return obj.build(lambda: ProcessingTime(unit, amount))


def _parse_step(obj: JsonObject) -> ProcessStep:
    code, name = obj.text("code"), obj.text("name")
    role = obj.choice("unit_role", UnitRole)
    allotted = _parse_time(obj.child("allotted"))
    return obj.build(lambda: ProcessStep(code, name, role, allotted))


def _parse_cutoff(obj: JsonObject) -> time | None:
    text = obj.optional_text("late_cutoff", DEFAULT_LATE_CUTOFF.strftime("%H:%M"))
    if text is None:
        return None
    match = _CUTOFF.fullmatch(text)
    if match is None:
        raise obj.fail("late_cutoff", 'must be a time "HH:MM" or null')
    return time(int(match["hour"]), int(match["minute"]))


def parse_procedure(data: Mapping[str, object], path: str = "") -> Procedure:
    """Build a Procedure from decoded JSON; errors name the field ("steps[2].allotted.amount").

    A missing `late_cutoff` means 15:00; null means the procedure has none.
    """
    obj = as_object(data, path)
    factory = partial(
        Procedure,
        code=obj.text("code"),
        name=obj.text("name"),
        field=obj.text("field"),
        level=obj.choice("level", AdministrativeLevel),
        competent_agency=obj.text("competent_agency"),
        processing_time=_parse_time(obj.child("processing_time")),
        late_cutoff=_parse_cutoff(obj),
        online_eligible=obj.flag("online_eligible"),
        has_fee=obj.flag("has_fee"),
        fee_vnd=obj.integer("fee_vnd"),
        steps=tuple(_parse_step(step) for step in obj.children("steps")),
    )
    return obj.build(factory)


def parse_procedures(document: object) -> tuple[Procedure, ...]:
    """Every procedure of a catalogue document `{"procedures": [...]}`; codes must be unique."""
    entries = as_object(document, "").children("procedures")
    procedures = tuple(parse_procedure(entry.data, entry.path) for entry in entries)
    seen: set[str] = set()
    for index, procedure in enumerate(procedures):
        if procedure.code in seen:
            raise CatalogueError(f"procedures[{index}].code", f"{procedure.code!r} is repeated")
        seen.add(procedure.code)
    return procedures


def load_seed_procedures() -> tuple[Procedure, ...]:
    """The demo catalogue shipped in `motcua_intake/seed/procedures.json`."""
    text = files("motcua_intake.seed").joinpath("procedures.json").read_text(encoding="utf-8")
    return parse_procedures(json.loads(text))
