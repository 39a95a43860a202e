"""The agencies and units known to intake, held in memory (they change only by deployment)."""

from __future__ import annotations

from motcua_intake.domain.agencies import Agency, Province

__all__ = ["Directory"]


class Directory:
    """Look-ups over the province's agencies and units; filled at start-up."""

    def __init__(self) -> None:
        self._agencies: dict[str, Agency] = {}
        self._unit_agency: dict[str, str] = {}

    def load(self, province: Province) -> None:
        """Hold the agencies of `province` (replacing what was held)."""
        self._agencies = {agency.code: agency for agency in province.agencies}
        self._unit_agency = {
            unit.code: agency.code for agency in province.agencies for unit in agency.units
        }

    def agency(self, code: str) -> Agency | None:
        """The agency with `code`, if known."""
        return self._agencies.get(code)

    def agency_of_unit(self, unit_code: str) -> str | None:
        """The agency a unit belongs to, if the unit is known."""
        return self._unit_agency.get(unit_code)

    @property
    def agencies(self) -> list[Agency]:
        """Every agency, by code."""
        return [self._agencies[code] for code in sorted(self._agencies)]
