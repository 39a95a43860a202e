"""Scopes a number is reported for: the province, an agency, a unit, a procedure, a
field or a channel. A scope's key is ``<kind>:<value>``, e.g. ``agency:STP``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from motcua_scoring.domain.facts import DossierFacts

__all__ = ["PROVINCE", "Scope", "ScopeKind", "parse_scope", "scopes_of"]


class ScopeKind(StrEnum):
    PROVINCE = "province"
    AGENCY = "agency"
    UNIT = "unit"
    PROCEDURE = "procedure"
    FIELD = "field"
    CHANNEL = "channel"


@dataclass(frozen=True, order=True)
class Scope:
    kind: ScopeKind
    value: str

    def __post_init__(self) -> None:
        if not self.value:
            raise ValueError("a scope needs a value")

    @property
    def key(self) -> str:
        """The scope's key, e.g. ``agency:STP``."""
        return f"{self.kind.value}:{self.value}"


PROVINCE = Scope(ScopeKind.PROVINCE, "all")


def parse_scope(key: str) -> Scope:
    """The scope a key names; raises ValueError for anything else."""
    kind, sep, value = key.partition(":")
    if not sep:
        raise ValueError(f"not a scope key: {key!r}")
    return Scope(ScopeKind(kind), value)


def scopes_of(facts: DossierFacts) -> tuple[Scope, ...]:
    """Every scope a dossier is counted in; none until its identity is known.

    A dossier counts in the province, its current agency and unit (after the last
    transfer), its procedure, its field and its channel, as far as they are known.
    """
    identity = facts.identity
    if identity is None:
        return ()
    scopes = [PROVINCE]
    if facts.agency:
        scopes.append(Scope(ScopeKind.AGENCY, facts.agency))
    if facts.unit:
        scopes.append(Scope(ScopeKind.UNIT, facts.unit))
    if identity.procedure:
        scopes.append(Scope(ScopeKind.PROCEDURE, identity.procedure))
    if identity.field:
        scopes.append(Scope(ScopeKind.FIELD, identity.field))
    if identity.channel:
        scopes.append(Scope(ScopeKind.CHANNEL, identity.channel.value))
    return tuple(scopes)
