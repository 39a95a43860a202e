"""An agency as the API shows it (JSON)."""

from __future__ import annotations

from datetime import time
from typing import Any

from motcua.http import vietnam_time
from motcua_intake.domain.agencies import Agency

__all__ = ["agency_json"]


def _clock(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def agency_json(agency: Agency) -> dict[str, Any]:
    """An agency as the API shows it."""
    return {
        "code": agency.code,
        "name": agency.name,
        "level": agency.level.value,
        "kind": agency.kind.value,
        "parent": agency.parent,
        "units": [{"code": u.code, "name": u.name, "role": u.role.value} for u in agency.units],
        "procedures": list(agency.procedures),
        "office_hours": [[_clock(s), _clock(e)] for s, e in agency.office_hours],
        "late_cutoff": _clock(agency.late_cutoff),
        "retired_at": (
            None if agency.retired_at is None else vietnam_time(agency.retired_at).isoformat()
        ),
        "merged_into": agency.merged_into,
        "merged_on": None if agency.merged_on is None else agency.merged_on.isoformat(),
        "revision": agency.revision,
    }
