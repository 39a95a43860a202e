"""One flat, named set of figures per scope and period: counts, rates and Decision 766
points. This is what the feeds publish and what rankings are taken over.

Values are exact (int or Fraction); None where a rate's denominator is zero or a
score cannot be computed.
"""

from __future__ import annotations

from dataclasses import fields
from fractions import Fraction

from motcua_scoring.domain.formulas import decision766, progress_points_received_variant, rates
from motcua_scoring.domain.indicators import Indicators

__all__ = [
    "AVERAGES",
    "COUNTS",
    "FIGURES",
    "LOWER_IS_BETTER",
    "RATES",
    "SCORES",
    "Figure",
    "summarise",
]

Figure = int | Fraction | None

_NOT_FIGURES = {"scope", "period", "as_of", "processing_histogram"}

COUNTS: tuple[str, ...] = (
    *(f.name for f in fields(Indicators) if f.name not in _NOT_FIGURES),
    "resolved",
    "in_progress",
    "received_online",
)
RATES: tuple[str, ...] = tuple(
    f"{name}_rate"
    for name in (
        "early",
        "on_time",
        "late",
        "late_with_apology",
        "reappointment_kept",
        "on_time_over_received",
        "online",
        "full_online",
        "online_payment",
        "digitised",
        "e_result",
        "satisfied",
        "progress",
        "processing_satisfaction",
    )
)
AVERAGES = ("average_score", "average_processing_days", "p90_processing_days")
SCORES = (
    "score_766_points",
    "score_766_scored_max",
    "score_766_progress",
    "score_766_progress_received_variant",
    "score_766_online",
    "score_766_payment",
    "score_766_digitisation",
    "score_766_satisfaction",
)
FIGURES: tuple[str, ...] = (*COUNTS, *RATES, *AVERAGES, *SCORES)

LOWER_IS_BETTER = frozenset(
    {
        "resolved_late",
        "resolved_late_with_apology",
        "resolved_late_without_apology",
        "reappointments_broken",
        "in_progress_overdue",
        "late_apologies",
        "apologies",
        "supplement_requests",
        "complaints",
        "complaints_or_dislikes",
        "refused",
        "late_rate",
        "average_processing_days",
        "p90_processing_days",
        "processing_millidays",
    }
)
"""Lateness-type figures: a ranking puts the smallest first."""


def summarise(ind: Indicators) -> dict[str, Figure]:
    """Every figure of ``FIGURES`` for one scope and period."""
    figures: dict[str, Figure] = {name: getattr(ind, name) for name in COUNTS}
    for name, value in vars(rates(ind)).items():
        key = name if name in AVERAGES else f"{name}_rate"
        figures[key] = value
    score = decision766(ind)
    groups = {group.name: group.points for group in score.groups}
    figures["score_766_points"] = score.points
    figures["score_766_scored_max"] = score.scored_max
    for group in ("progress", "online", "payment", "digitisation", "satisfaction"):
        figures[f"score_766_{group}"] = groups[group]
    figures["score_766_progress_received_variant"] = progress_points_received_variant(ind)
    return {name: figures[name] for name in FIGURES}
