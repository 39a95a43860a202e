"""Merged agencies in the figures: the absorbing agency counts the absorbed one's
dossiers from the merge date; the absorbed agency's own figures stay as they were.

A scope ``agency:B`` in a period is B's own counters plus, for each agency A merged
into B on date D (directly or through a chain, from the later of the dates), A's
counters over the part of the period from D. Dossiers keep their codes and their
agency; nothing is moved in the counter table, so ``agency:A`` still answers for every
period, and the province counts each dossier once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date

from motcua_scoring.domain.indicators import Indicators
from motcua_scoring.domain.periods import Period, range_period
from motcua_scoring.domain.scopes import Scope, ScopeKind

__all__ = [
    "Merge",
    "absorbed_by",
    "absorbers_of",
    "combined",
    "from_date",
    "merged_away",
    "names_of",
    "roll_up_changes",
]


@dataclass(frozen=True, order=True)
class Merge:
    """Agency `absorbed` merged into agency `into`, counted there from local date `on`."""

    absorbed: str
    into: str
    on: date


def absorbed_by(scope: Scope, merges: Iterable[Merge]) -> tuple[tuple[Scope, date], ...]:
    """The agency scopes whose dossiers `scope` counts, each from the date it does."""
    if scope.kind is not ScopeKind.AGENCY:
        return ()
    into: dict[str, list[Merge]] = {}
    for merge in merges:
        into.setdefault(merge.into, []).append(merge)
    found: dict[str, date] = {}
    pending = [(scope.value, date.min)]
    while pending:
        code, since = pending.pop()
        for merge in into.get(code, ()):
            start = max(since, merge.on)
            if merge.absorbed != scope.value and start < found.get(merge.absorbed, date.max):
                found[merge.absorbed] = start
                pending.append((merge.absorbed, start))
    return tuple((Scope(ScopeKind.AGENCY, code), found[code]) for code in sorted(found))


def absorbers_of(merges: Iterable[Merge]) -> dict[str, tuple[tuple[Scope, date], ...]]:
    """For each agency merged away (directly or through a chain), the agency scopes that
    count its dossiers, each from the date it does (`absorbed_by` turned around)."""
    merges = tuple(merges)
    found: dict[str, list[tuple[Scope, date]]] = {}
    for code in sorted({m.into for m in merges}):
        absorber = Scope(ScopeKind.AGENCY, code)
        for absorbed, since in absorbed_by(absorber, merges):
            found.setdefault(absorbed.value, []).append((absorber, since))
    return {code: tuple(scopes) for code, scopes in found.items()}


def roll_up_changes(old: Iterable[Merge], new: Iterable[Merge]) -> dict[str, date]:
    """Agencies whose roll-up differs between the merges `old` and `new` (an agency
    merged into them, out of them, or from another date), each with the first day from
    which its figures may differ."""
    old, new = tuple(old), tuple(new)
    changed: dict[str, date] = {}
    for code in sorted({m.into for m in old + new}):
        scope = Scope(ScopeKind.AGENCY, code)
        before = {s.value: since for s, since in absorbed_by(scope, old)}
        after = {s.value: since for s, since in absorbed_by(scope, new)}
        days = [
            day
            for absorbed in before.keys() | after.keys()
            if before.get(absorbed) != after.get(absorbed)
            for day in (before.get(absorbed), after.get(absorbed))
            if day is not None
        ]
        if days:
            changed[code] = min(days)
    return changed


def from_date(period: Period, since: date, as_of: date) -> Period | None:
    """The part of `period` from `since`, or None when it has not begun by `as_of`."""
    first = max(period.first, since)
    if first > period.last or first > as_of:
        return None
    return period if first == period.first else range_period(first, period.last)


def combined(own: Indicators, parts: Iterable[Indicators]) -> Indicators:
    """`own` with the counts of `parts` added (scope, period and as-of day are own's)."""
    totals = {f.name: getattr(own, f.name) for f in fields(own) if _counted(f.name)}
    histogram: dict[int, int] = dict(own.processing_histogram)
    for part in parts:
        for name in totals:
            totals[name] += getattr(part, name)
        for half_days, dossiers in part.processing_histogram:
            histogram[half_days] = histogram.get(half_days, 0) + dossiers
    return replace(own, **totals, processing_histogram=tuple(sorted(histogram.items())))


def merged_away(merges: Iterable[Merge], first_day: date) -> frozenset[str]:
    """Agencies merged into another on or before `first_day` (ranked no more on their own)."""
    return frozenset(m.absorbed for m in merges if m.on <= first_day)


def names_of(
    scopes: Iterable[Scope],
    agencies: Mapping[str, str],
    units: Mapping[str, str],
    procedures: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Names of the agency, unit and procedure scopes that have one, by scope key."""
    names = {}
    tables = {ScopeKind.AGENCY: agencies, ScopeKind.UNIT: units}
    tables[ScopeKind.PROCEDURE] = procedures or {}
    for scope in scopes:
        table = tables.get(scope.kind, {})
        if scope.value in table:
            names[scope.key] = table[scope.value]
    return names


def _counted(name: str) -> bool:
    return name not in ("scope", "period", "as_of", "processing_histogram")
