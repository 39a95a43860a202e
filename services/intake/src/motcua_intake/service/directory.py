"""The agencies and units known to intake, held in memory and reloaded after each change."""

from __future__ import annotations

from collections.abc import Iterable

from motcua_intake.domain.agencies import Agency, Province
from motcua_intake.domain.offices import office_of

__all__ = ["Directory"]


class Directory:
    """Look-ups over the province's agencies (retired ones included) and their units."""

    def __init__(self) -> None:
        self.province: str | None = None
        self._agencies: dict[str, Agency] = {}
        self._unit_agency: dict[str, str] = {}

    def load(self, province: Province) -> None:
        """Hold the agencies of `province` (replacing what was held)."""
        self.province = province.code
        self.hold(province.agencies)

    def hold(self, agencies: Iterable[Agency]) -> None:
        """Hold these agencies (replacing what was held)."""
        held = {agency.code: agency for agency in agencies}
        self._unit_agency = {
            unit.code: agency.code for agency in held.values() for unit in agency.units
        }
        self._agencies = held

    def agency(self, code: str) -> Agency | None:
        """The agency with `code`, if known (also when retired)."""
        return self._agencies.get(code)

    def agency_of_unit(self, unit_code: str) -> str | None:
        """The agency a unit belongs to, if the unit is known."""
        return self._unit_agency.get(unit_code)

    def office_of(self, code: str) -> str:
        """The agency answering for `code`'s dossiers now (where it merged into, if it did)."""
        return office_of(self._agencies, code)

    @property
    def agencies(self) -> list[Agency]:
        """Every agency, by code."""
        return [self._agencies[code] for code in sorted(self._agencies)]
