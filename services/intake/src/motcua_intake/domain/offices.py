"""Administering agencies: replacing an agency's state, merging two, retiring one.

An agency is never deleted: a retired one keeps its code, name and units so that its
dossiers and past figures stay readable. A merge retires the absorbed agency from the
local midnight of the merge date and hands its catalogue assignments to the absorbing
one; from that date its dossiers count under the absorbing agency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time

from motcua_intake.domain.agencies import Agency
from motcua_intake.domain.clock_checks import VIETNAM_TZ

__all__ = ["OfficeConflict", "merged", "office_of", "retired", "revised", "start_of"]


class OfficeConflict(Exception):
    """A change the agencies' current states do not allow; `code` is stable."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def start_of(day: date) -> datetime:
    """Local midnight of `day` in Vietnam."""
    return datetime.combine(day, time(0), tzinfo=VIETNAM_TZ)


def revised(current: Agency | None, proposed: Agency) -> Agency | None:
    """The stored state after a replacement, or None when nothing changes.

    A retired agency is history and takes no change.
    """
    if current is None:
        return replace(proposed, revision=1, retired_at=None, merged_into=None, merged_on=None)
    _require_active(current)
    candidate = replace(proposed, revision=current.revision, retired_at=None)
    if candidate == current:
        return None
    return replace(candidate, revision=current.revision + 1)


def retired(current: Agency, at: datetime) -> Agency:
    """The agency retired from instant `at` (it takes no dossier received from then)."""
    _require_active(current)
    return replace(current, retired_at=at, revision=current.revision + 1)


def merged(absorbed: Agency, absorber: Agency, on: date) -> tuple[Agency, Agency]:
    """The absorbed agency retired into the absorber from local date `on`, and the
    absorber holding the absorbed one's catalogue assignments too."""
    if absorbed.code == absorber.code:
        raise OfficeConflict("merge_into_itself", "an agency cannot absorb itself")
    _require_active(absorbed)
    _require_active(absorber)
    gone = replace(
        absorbed,
        retired_at=start_of(on),
        merged_into=absorber.code,
        merged_on=on,
        revision=absorbed.revision + 1,
    )
    taken = tuple(dict.fromkeys(absorber.procedures + absorbed.procedures))
    grown = replace(absorber, procedures=taken, revision=absorber.revision + 1)
    return gone, grown


def office_of(agencies: Mapping[str, Agency], code: str) -> str:
    """The agency now answering for `code`'s dossiers: itself, or where it merged into."""
    seen = {code}
    current = agencies.get(code)
    while current is not None and current.merged_into is not None:
        code = current.merged_into
        if code in seen:
            break
        seen.add(code)
        current = agencies.get(code)
    return code


def _require_active(agency: Agency) -> None:
    if agency.retired_at is None:
        return
    if agency.merged_into is not None:
        detail = (
            f"agency {agency.code!r} was merged into {agency.merged_into!r} on {agency.merged_on}"
        )
    else:
        detail = f"agency {agency.code!r} was retired at {agency.retired_at.isoformat()}"
    raise OfficeConflict("agency_retired", detail)
