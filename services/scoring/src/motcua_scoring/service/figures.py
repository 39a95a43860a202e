"""Indicators as JSON: exact figures rounded to floats for the wire, 766 detail."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from motcua_scoring import domain as d

__all__ = ["decision766_json", "figures_json", "number", "report_json"]

DECIMALS = 6


def number(value: d.Figure) -> float | int | None:
    """An exact figure as a JSON number: ints stay ints, fractions become floats."""
    if value is None or isinstance(value, int):
        return value
    if value.denominator == 1:
        return int(value)
    return round(float(value), DECIMALS)


def figures_json(ind: d.Indicators) -> dict[str, float | int | None]:
    """Every named figure of one scope and period."""
    return {name: number(value) for name, value in d.summarise(ind).items()}


def decision766_json(ind: d.Indicators) -> dict[str, Any]:
    """The Decision 766 groups and components, as far as events allow."""
    score = d.decision766(ind)
    return {
        "points": number(score.points),
        "scored_max": number(score.scored_max),
        "groups": [
            {
                "name": group.name,
                "max_points": number(group.max_points),
                "points": number(group.points),
                "scored_max": number(group.scored_max),
                "scaled": number(group.scaled),
                "components": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "max_points": number(c.max_points),
                        "points": number(c.points),
                        "computable": c.computable,
                        "unconfirmed": c.unconfirmed,
                    }
                    for c in group.components
                ],
            }
            for group in score.groups
        ],
    }


def report_json(ind: d.Indicators) -> dict[str, Any]:
    """One scope and period in full."""
    return {
        "scope": ind.scope.key,
        "period": ind.period.key,
        "kind": ind.period.kind.value,
        "first": ind.period.first.isoformat(),
        "last": ind.period.last.isoformat(),
        "as_of": ind.as_of.isoformat(),
        "figures": figures_json(ind),
        "processing_histogram": [
            {"days": number(Fraction(half_days, 2)), "dossiers": n}
            for half_days, n in ind.processing_histogram
        ],
        "decision766": decision766_json(ind),
    }
