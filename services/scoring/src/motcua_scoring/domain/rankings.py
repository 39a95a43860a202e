"""Rankings of agencies or units by any indicator: competition ranking (1, 2, 2, 4),
ties sharing a rank, unknown values (None) last and unranked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from motcua_scoring.domain.scopes import Scope, ScopeKind

Value = Fraction | int | None


@dataclass(frozen=True)
class Ranked:
    scope: Scope
    value: Value
    rank: int | None


def rank(
    values: Mapping[Scope, Value],
    kind: ScopeKind = ScopeKind.AGENCY,
    higher_is_better: bool = True,
) -> tuple[Ranked, ...]:
    """Scopes of one kind ranked by value; ties share a rank, None comes last unranked.

    Within a tie, and among the unranked, scopes are listed by key.
    """
    known = sorted(
        (
            (scope, value)
            for scope, value in values.items()
            if scope.kind is kind and value is not None
        ),
        key=lambda item: (-item[1] if higher_is_better else item[1], item[0].key),
    )
    ranked: list[Ranked] = []
    for position, (scope, value) in enumerate(known, start=1):
        tied = ranked and ranked[-1].value == value
        ranked.append(Ranked(scope, value, ranked[-1].rank if tied else position))
    unknown = sorted(
        (scope for scope, value in values.items() if scope.kind is kind and value is None),
        key=lambda scope: scope.key,
    )
    return (*ranked, *(Ranked(scope, None, None) for scope in unknown))
