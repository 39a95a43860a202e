"""Agencies of a province: who receives and settles which procedure, through which units."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import partial
from importlib.resources import files

from motcua_intake.domain.codes import is_agency_code
from motcua_intake.domain.json_reader import CatalogueError, JsonObject, as_object
from motcua_intake.domain.procedures import Procedure, UnitRole

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_HOURS",
    "Agency",
    "AgencyKind",
    "AgencyLevel",
    "OrgUnit",
    "Province",
    "check_coverage",
    "load_seed_agencies",
    "parse_province",
]


class AgencyLevel(StrEnum):
    """The level of government of an agency; district agencies exist only in history
    (the district level was abolished on 01/07/2025)."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class AgencyKind(StrEnum):
    """What an agency is in the 2025 two-level organisation (district: before it)."""

    SERVICE_CENTRE = "service_centre"
    DEPARTMENT = "department"
    COMMUNE = "commune"
    DISTRICT = "district"


Periods = tuple[tuple[time, time], ...]
DEFAULT_HOURS: Periods = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
DEFAULT_CUTOFF = time(15, 0)


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """A unit inside an agency (counter, specialist division, leadership, liaison)."""

    code: str
    name: str
    role: UnitRole


def _repeated(values: Iterable[str]) -> tuple[int, str] | None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index, value
        seen.add(value)
    return None


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency; its code prefixes the dossier codes it issues."""

    code: str
    name: str
    level: AgencyLevel
    kind: AgencyKind
    parent: str | None
    units: tuple[OrgUnit, ...]
    procedures: tuple[str, ...]
    office_hours: Periods = DEFAULT_HOURS
    late_cutoff: time | None = DEFAULT_CUTOFF
    retired_at: datetime | None = None
    merged_into: str | None = None
    merged_on: date | None = None
    revision: int = 1

    def __post_init__(self) -> None:
        if not is_agency_code(self.code):
            raise CatalogueError(
                "code", "must be upper-case letters, digits and inner dots, at most 32"
            )
        if UnitRole.ONE_STOP not in self.unit_roles:
            raise CatalogueError("units", "must include a one_stop unit")
        if (twice := _repeated(unit.code for unit in self.units)) is not None:
            raise CatalogueError(f"units[{twice[0]}].code", f"{twice[1]!r} is repeated")
        if (twice := _repeated(self.procedures)) is not None:
            raise CatalogueError(f"procedures[{twice[0]}]", f"{twice[1]!r} is repeated")
        _check_hours(self.office_hours)
        if self.retired_at is not None and self.retired_at.tzinfo is None:
            raise CatalogueError("retired_at", "needs a UTC offset")
        if (self.merged_into is None) != (self.merged_on is None):
            raise CatalogueError("merged_on", "a merge needs both merged_into and merged_on")

    def accepts(self, received_at: datetime) -> bool:
        """Whether the agency takes a dossier received at that instant (before retiring)."""
        return self.retired_at is None or received_at < self.retired_at

    @property
    def unit_roles(self) -> frozenset[UnitRole]:
        """The roles this agency has units for."""
        return frozenset(unit.role for unit in self.units)

    def units_with(self, role: UnitRole) -> tuple[OrgUnit, ...]:
        """The units of this agency that play `role`."""
        return tuple(unit for unit in self.units if unit.role is role)


@dataclass(frozen=True, slots=True)
class Province:
    """A province and its agencies (public-service centre, departments, communes)."""

    code: str
    name: str
    agencies: tuple[Agency, ...]

    def __post_init__(self) -> None:
        if (twice := _repeated(a.code for a in self.agencies)) is not None:
            raise CatalogueError(f"agencies[{twice[0]}].code", f"{twice[1]!r} is repeated")
        units = (unit.code for a in self.agencies for unit in a.units)
        if (twice := _repeated(units)) is not None:
            raise CatalogueError("agencies", f"unit code {twice[1]!r} is used twice")
        known = {self.code} | {a.code for a in self.agencies}
        for index, agency in enumerate(self.agencies):
            if agency.parent is not None and agency.parent not in known:
                raise CatalogueError(f"agencies[{index}].parent", f"{agency.parent!r} is unknown")

    def agency(self, code: str) -> Agency:
        """The agency with `code`; KeyError if there is none."""
        for agency in self.agencies:
            if agency.code == code:
                return agency
        raise KeyError(code)

    def handling(self, procedure_code: str) -> tuple[Agency, ...]:
        """The agencies that handle the procedure with `procedure_code`."""
        return tuple(a for a in self.agencies if procedure_code in a.procedures)


def _check_hours(periods: Periods) -> None:
    if not periods:
        raise CatalogueError("office_hours", "needs at least one period")
    previous_end: time | None = None
    for index, (start, end) in enumerate(periods):
        if start >= end:
            raise CatalogueError(f"office_hours[{index}]", "must start before it ends")
        if previous_end is not None and start < previous_end:
            raise CatalogueError(f"office_hours[{index}]", "must start after the period before")
        previous_end = end


def _parse_unit(obj: JsonObject) -> OrgUnit:
    return OrgUnit(obj.text("code"), obj.text("name"), obj.choice("role", UnitRole))


def _parse_agency(obj: JsonObject) -> Agency:
    factory = partial(
        Agency,
        code=obj.text("code"),
        name=obj.text("name"),
        level=obj.choice("level", AgencyLevel),
        kind=obj.choice("kind", AgencyKind),
        parent=obj.optional_text("parent", None),
        units=tuple(_parse_unit(unit) for unit in obj.children("units")),
        procedures=obj.texts("procedures"),
    )
    return obj.build(factory)


def parse_province(document: object) -> Province:
    """Build a Province from `{"province": {code, name}, "agencies": [...]}`."""
    root = as_object(document, "")
    header = root.child("province")
    factory = partial(
        Province,
        code=header.text("code"),
        name=header.text("name"),
        agencies=tuple(_parse_agency(agency) for agency in root.children("agencies")),
    )
    return root.build(factory)


def _check_agency(index: int, agency: Agency, catalogue: dict[str, Procedure]) -> None:
    for position, code in enumerate(agency.procedures):
        path = f"agencies[{index}].procedures[{position}]"
        procedure = catalogue.get(code)
        if procedure is None:
            raise CatalogueError(path, f"unknown procedure {code!r}")
        if procedure.level.value != agency.level.value:
            raise CatalogueError(path, f"{code!r} is a {procedure.level.value} procedure")
        missing = procedure.unit_roles - agency.unit_roles
        if missing:
            roles = ", ".join(sorted(role.value for role in missing))
            raise CatalogueError(path, f"{code!r} needs units with role {roles}")


def check_coverage(province: Province, procedures: Iterable[Procedure]) -> None:
    """Check that agencies and procedures agree; raise CatalogueError on the first gap.

    Every listed procedure exists at the agency's level and the agency has a unit for
    each role of its steps; every procedure is handled somewhere, and a province
    procedure by its competent agency.
    """
    catalogue = {procedure.code: procedure for procedure in procedures}
    for index, agency in enumerate(province.agencies):
        _check_agency(index, agency, catalogue)
    for position, procedure in enumerate(catalogue.values()):
        handlers = {agency.code for agency in province.handling(procedure.code)}
        if not handlers:
            raise CatalogueError(f"procedures[{position}]", f"{procedure.code!r} has no agency")
        commune = procedure.level.value == AgencyLevel.COMMUNE
        if not commune and procedure.competent_agency not in handlers:
            raise CatalogueError(
                f"procedures[{position}].competent_agency",
                f"{procedure.competent_agency!r} does not handle {procedure.code!r}",
            )


def load_seed_agencies() -> Province:
    """The demo province shipped in `motcua_intake/seed/agencies.json`."""
    text = files("motcua_intake.seed").joinpath("agencies.json").read_text(encoding="utf-8")
    return parse_province(json.loads(text))
