"""Updates that say something odd about a dossier: it is still counted where it can be,
and the oddity is named so the service can report it.

Facts accept partial knowledge in any order, so nothing here changes a number; the
reasons only tell operators that a producer skipped, reordered or contradicted a step.
"""

from __future__ import annotations

from enum import StrEnum

from motcua_scoring.domain.facts import (
    DossierFacts,
    FactUpdate,
    Received,
    Refused,
    VerdictGiven,
)

__all__ = ["Anomaly", "anomalies"]


class Anomaly(StrEnum):
    UNKNOWN_DOSSIER = "unknown_dossier"
    """An update for a dossier neither received nor refused (yet): it counts nowhere
    until its identity arrives."""
    CONFLICTING_RECEPTION = "conflicting_reception"
    """A second reception with another time or identity; the earliest one stands."""
    CONFLICTING_VERDICT = "conflicting_verdict"
    """A verdict of the same revision that differs from the one already given; the
    latest one stands. (A correction carries a higher revision and is not odd.)"""
    BEFORE_RECEPTION = "before_reception"
    """Something happened before the dossier was received."""


def anomalies(facts: DossierFacts, update: FactUpdate) -> tuple[Anomaly, ...]:
    """What is odd about applying ``update`` to ``facts`` (nothing for a redelivery)."""
    found: list[Anomaly] = []
    if facts.identity is None and not isinstance(update, Received | Refused):
        found.append(Anomaly.UNKNOWN_DOSSIER)
    if isinstance(update, Received):
        current = facts.reception
        if current is not None and (current.at, current.identity) != (update.at, update.identity):
            found.append(Anomaly.CONFLICTING_RECEPTION)
    elif facts.received_at is not None and update.at < facts.received_at:
        found.append(Anomaly.BEFORE_RECEPTION)
    if isinstance(update, VerdictGiven):
        given = facts.judgement
        if (
            given is not None
            and given.revision == update.revision
            and given.verdict is not update.verdict
        ):
            found.append(Anomaly.CONFLICTING_VERDICT)
    return tuple(found)
