"""Rankings of agencies or units by any indicator: competition ranking (1, 2, 2, 4).

A rate alone makes a poor ranking: an office with 1 resolved dossier on time ties one
with 38. Equal values are therefore ordered by volume (the dossiers resolved, more
first), and two scopes share a rank only when both the value and the volume are equal;
those are marked `tied`. Unknown values (None) come last, unranked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from motcua_scoring.domain.scopes import Scope, ScopeKind

__all__ = ["Ranked", "Value", "rank"]

Value = Fraction | int | None


@dataclass(frozen=True)
class Ranked:
    scope: Scope
    value: Value
    rank: int | None
    volume: int = 0
    tied: bool = False


def rank(
    values: Mapping[Scope, Value],
    kind: ScopeKind = ScopeKind.AGENCY,
    higher_is_better: bool = True,
    volumes: Mapping[Scope, int] | None = None,
) -> tuple[Ranked, ...]:
    """Scopes of one kind ranked by value, then by volume (more first); scopes equal on
    both share a rank and are `tied`; None comes last unranked.

    Within a tie, and among the unranked, scopes are listed by key.
    """
    volume = dict(volumes or {})
    known = sorted(
        (
            (scope, value, volume.get(scope, 0))
            for scope, value in values.items()
            if scope.kind is kind and value is not None
        ),
        key=lambda item: (-item[1] if higher_is_better else item[1], -item[2], item[0].key),
    )
    ranks: list[int] = []
    for position, (_, value, size) in enumerate(known, start=1):
        same = ranks and (known[position - 2][1], known[position - 2][2]) == (value, size)
        ranks.append(ranks[-1] if same else position)
    ranked = [
        Ranked(scope, value, ranks[i], size, ranks.count(ranks[i]) > 1)
        for i, (scope, value, size) in enumerate(known)
    ]
    unknown = sorted(
        (scope for scope, value in values.items() if scope.kind is kind and value is None),
        key=lambda scope: scope.key,
    )
    return (*ranked, *(Ranked(scope, None, None, volume.get(scope, 0)) for scope in unknown))
