"""The dossiers behind the resolution counts: which dossiers of a scope were resolved in
a period, and in which of the counts each one is.

A dossier is listed exactly when ``indicators.count`` counts it as resolved: handling
ended in the period and tracking's verdict is known; its categories are the resolution
counters it adds to (``counters.resolution_counters``), so a category's list is as long
as its figure in `/v1/indicators` and the progress report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from motcua_scoring.domain.counters import Counter, resolution_counters
from motcua_scoring.domain.facts import DossierFacts
from motcua_scoring.domain.periods import Period
from motcua_scoring.domain.scopes import Scope, scopes_of

__all__ = ["RESOLVED_CATEGORIES", "ResolvedDossier", "resolved_in", "tally_categories"]

RESOLVED_CATEGORIES: tuple[str, ...] = (
    Counter.RESOLVED_EARLY,
    Counter.RESOLVED_ON_TIME,
    Counter.RESOLVED_LATE,
    Counter.RESOLVED_LATE_WITH_APOLOGY,
    Counter.RESOLVED_LATE_WITHOUT_APOLOGY,
    Counter.REAPPOINTMENTS_KEPT,
    Counter.REAPPOINTMENTS_BROKEN,
)
"""The categories of the list, named as the figures of `/v1/indicators`."""


@dataclass(frozen=True)
class ResolvedDossier:
    """A dossier resolved in the period and the resolution counts it is in."""

    facts: DossierFacts
    categories: tuple[str, ...]

    @property
    def resolved_at(self) -> datetime:
        end_at = self.facts.end_at
        assert end_at is not None  # listed only once handling ended
        return end_at


def resolved_in(
    facts: Iterable[DossierFacts], scope: Scope, period: Period
) -> list[ResolvedDossier]:
    """The dossiers of `scope` resolved in `period`, latest resolved first."""
    found = []
    for dossier in facts:
        end_at = dossier.end_at
        if end_at is None or not period.contains(end_at) or scope not in scopes_of(dossier):
            continue
        categories = tuple(str(c) for c in resolution_counters(dossier))
        if categories:
            found.append(ResolvedDossier(dossier, categories))
    return sorted(found, key=lambda r: (r.resolved_at, r.facts.code), reverse=True)


def tally_categories(resolved: Iterable[ResolvedDossier]) -> dict[str, int]:
    """How many listed dossiers are in each category (every category, zeros included)."""
    totals = dict.fromkeys(RESOLVED_CATEGORIES, 0)
    for item in resolved:
        for category in item.categories:
            totals[category] += 1
    return totals
