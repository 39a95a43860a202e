"""Every rate and score formula, in one place so a formula is corrected in one place.

Sources (keys as in the domain brief):
- [S1] Decree 61/2018 and Circular 01/2018 (early / on time / late; Art. 30).
- [S22] ChippedTopaz/qd766: ``formula-document.ts`` (the formula document of the
  national Decision 766 index), ``metrics.m0.json`` and ``SCORING_ANALYSIS_M0.md``
  (maximum points per component, reverse-engineered scores).
- [S25] Decision 766/QĐ-TTg (five groups, 100 points).

Numbers are exact fractions; the reader rounds them for display. A rate whose
denominator is zero is None, never 0. A component that cannot be computed from dossier
events has ``computable=False`` and no points; a component whose rate is None has no
points either. A group reports the points it could compute, the maximum of those
components, and a ``scaled`` figure that assumes the missing components score at the
same rate as the computed ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from motcua_scoring.domain.indicators import Indicators

__all__ = [
    "DIGITISED_FULL_AT",
    "ONE",
    "ONLINE_SPLIT",
    "ONLINE_SUBMISSION_FULL_AT",
    "P90",
    "PROCEDURES_ONLINE_FULL_AT",
    "PROCESSING_SATISFACTION_FULL_AT",
    "PROGRESS_MAX",
    "ComponentScore",
    "Decision766Score",
    "GroupScore",
    "Rates",
    "average_processing_days",
    "average_score",
    "complaint_points",
    "decision766",
    "digitised_share",
    "e_result_share",
    "early_rate",
    "full_online_share",
    "late_rate",
    "late_with_apology_rate",
    "linear_points",
    "on_time_over_received",
    "on_time_rate",
    "online_payment_points",
    "online_payment_share",
    "online_share",
    "p90_processing_days",
    "processing_satisfaction_rate",
    "progress_points",
    "progress_points_received_variant",
    "progress_rate",
    "rates",
    "ratio",
    "reappointment_kept_rate",
    "satisfied_share",
    "threshold_points",
]

ONE = Fraction(1)

PROGRESS_MAX = Fraction(20)
ONLINE_SUBMISSION_FULL_AT = Fraction(1, 2)
PROCEDURES_ONLINE_FULL_AT = Fraction(4, 5)
DIGITISED_FULL_AT = Fraction(4, 5)
PROCESSING_SATISFACTION_FULL_AT = Fraction(9, 10)
P90 = Fraction(9, 10)

# UNCONFIRMED: [S22] gives 12 points for the group but no split among its three
# components (metrics.m0.json puts all 12 on full-process online dossiers). An even
# split is assumed; change it here.
ONLINE_SPLIT = (Fraction(4), Fraction(4), Fraction(4))


def ratio(numerator: int, denominator: int) -> Fraction | None:
    """numerator / denominator, or None when the denominator is zero."""
    return Fraction(numerator, denominator) if denominator else None


# Rates ------------------------------------------------------------------------------


def early_rate(ind: Indicators) -> Fraction | None:
    """Early / resolved. [S1] Circular 01: shorter than the limit is early."""
    return ratio(ind.resolved_early, ind.resolved)


def on_time_rate(ind: Indicators) -> Fraction | None:
    """(Early + on time) / resolved, both counted in the period they finished. [S1]"""
    return ratio(ind.resolved_early + ind.resolved_on_time, ind.resolved)


def late_rate(ind: Indicators) -> Fraction | None:
    """Late / resolved. [S1]"""
    return ratio(ind.resolved_late, ind.resolved)


def late_with_apology_rate(ind: Indicators) -> Fraction | None:
    """Late with an apology / late, both counted in the period they ended. Brief,
    decision 5: an apology never erases lateness; a late dossier without one is a
    breach the head of office must see."""
    return ratio(ind.resolved_late_with_apology, ind.resolved_late)


def reappointment_kept_rate(ind: Indicators) -> Fraction | None:
    """Re-appointments kept / re-appointed dossiers that ended in the period (kept: ended
    by the new appointment an apology promised). Brief, decision 5."""
    return ratio(ind.reappointments_kept, ind.reappointments_kept + ind.reappointments_broken)


def on_time_over_received(ind: Indicators) -> Fraction | None:
    """(Early + on time) / received: the on-time share Circular 01 Art. 30 reports. [S1]"""
    return ratio(ind.resolved_early + ind.resolved_on_time, ind.received)


def online_share(ind: Indicators) -> Fraction | None:
    """(online_full + online_partial) / received, by reception date. [S22] 3.3.

    UNCONFIRMED/approximation: 766 counts an online dossier only if an e-result was
    issued where the procedure requires a paper result; which procedures require one
    is not in the events, so every online dossier counts.
    """
    return ratio(ind.received_online, ind.received)


def full_online_share(ind: Indicators) -> Fraction | None:
    """online_full / received. [S22] uses eligible dossiers as the denominator; which
    procedures are eligible is not in the events, so all received dossiers are used."""
    return ratio(ind.received_online_full, ind.received)


def online_payment_share(ind: Indicators) -> Fraction | None:
    """Paid online / with a financial obligation, by reception date. [S22] 3.6 (A)."""
    return ratio(ind.paid_online, ind.with_obligation)


def digitised_share(ind: Indicators) -> Fraction | None:
    """Digitised / received, by reception date. [S22] 4.2.

    UNCONFIRMED/approximation: 4.2 also asks for an e-result where a paper result is
    required; only the reception's digitised flag is used.
    """
    return ratio(ind.received_digitised, ind.received)


def e_result_share(ind: Indicators) -> Fraction | None:
    """E-results issued / processing finished, by finishing date. [S22] 4.1.

    UNCONFIRMED/approximation: 4.1 restricts both sides to procedures whose result is
    a paper document; every finished dossier is counted.
    """
    return ratio(ind.e_results, ind.finished)


def average_score(ind: Indicators) -> Fraction | None:
    """Mean satisfaction score (1-5) of the ratings given in the period."""
    return ratio(ind.rating_sum, ind.rated)


def satisfied_share(ind: Indicators) -> Fraction | None:
    """Ratings of 4 or 5 / ratings given in the period. UNCONFIRMED: the cut at 4."""
    return ratio(ind.satisfied, ind.rated)


def average_processing_days(ind: Indicators) -> Fraction | None:
    """Mean processing time in working days of the dossiers resolved in the period.

    Exact to the thousandth of a working day tracking's figure is kept at. [S22] 2.2
    averages by reception period; here it follows the finishing period, like the
    resolved counts.
    """
    return ratio(ind.processing_millidays, 1000 * ind.resolved)


def p90_processing_days(ind: Indicators) -> Fraction | None:
    """Nearest-rank 90th percentile of processing days, in half-day buckets.

    Each time is rounded up to the next half day before ranking, so the result is
    exact when times are whole or half days and otherwise at most half a day above
    the exact percentile.
    """
    total = sum(amount for _, amount in ind.processing_histogram)
    if not total:
        return None
    rank = math.ceil(P90 * total)
    seen = 0
    for half_days, amount in ind.processing_histogram:
        seen += amount
        if seen >= rank:
            return Fraction(half_days, 2)
    raise AssertionError("histogram ranks are exhausted")


def progress_rate(ind: Indicators) -> Fraction | None:
    """(Resolved early or on time + in progress within deadline) / handled. [S22] 2.1.

    Handled = resolved in the period + in progress at the as-of day. 766 takes open
    dossiers at the period's last day ("today" for the current period).
    """
    handled = ind.resolved + ind.in_progress
    return ratio(ind.resolved_early + ind.resolved_on_time + ind.in_progress_within, handled)


def processing_satisfaction_rate(ind: Indicators) -> Fraction | None:
    """100% - (late % + % with a complaint or dislike), not below 0. [S22] 5.4.

    UNCONFIRMED: both shares are taken over the dossiers resolved in the period, and
    a dislike is a score of 2 or less.
    """
    late, unhappy = (
        ratio(ind.resolved_late, ind.resolved),
        ratio(ind.complaints_or_dislikes, ind.resolved),
    )
    if late is None or unhappy is None:
        return None
    return max(Fraction(0), ONE - late - unhappy)


@dataclass(frozen=True)
class Rates:
    """The rates of one scope and period; None where the denominator is zero."""

    early: Fraction | None
    on_time: Fraction | None
    late: Fraction | None
    late_with_apology: Fraction | None
    reappointment_kept: Fraction | None
    on_time_over_received: Fraction | None
    online: Fraction | None
    full_online: Fraction | None
    online_payment: Fraction | None
    digitised: Fraction | None
    e_result: Fraction | None
    average_score: Fraction | None
    satisfied: Fraction | None
    average_processing_days: Fraction | None
    p90_processing_days: Fraction | None
    progress: Fraction | None
    processing_satisfaction: Fraction | None


def rates(ind: Indicators) -> Rates:
    """Every rate above for one set of indicators."""
    return Rates(
        early=early_rate(ind),
        on_time=on_time_rate(ind),
        late=late_rate(ind),
        late_with_apology=late_with_apology_rate(ind),
        reappointment_kept=reappointment_kept_rate(ind),
        on_time_over_received=on_time_over_received(ind),
        online=online_share(ind),
        full_online=full_online_share(ind),
        online_payment=online_payment_share(ind),
        digitised=digitised_share(ind),
        e_result=e_result_share(ind),
        average_score=average_score(ind),
        satisfied=satisfied_share(ind),
        average_processing_days=average_processing_days(ind),
        p90_processing_days=p90_processing_days(ind),
        progress=progress_rate(ind),
        processing_satisfaction=processing_satisfaction_rate(ind),
    )


# Points -----------------------------------------------------------------------------


def linear_points(rate: Fraction | None, max_points: Fraction) -> Fraction | None:
    """max × rate; None when the rate is None."""
    return None if rate is None else max_points * _clamp(rate)


def threshold_points(
    rate: Fraction | None, max_points: Fraction, full_at: Fraction
) -> Fraction | None:
    """Full marks from ``full_at`` upward, else max × rate / full_at. [S22] notes."""
    return None if rate is None else max_points * min(ONE, _clamp(rate) / full_at)


def progress_points(ind: Indicators) -> Fraction | None:
    """20 × progress_rate. [S22] 2.1; None when nothing was handled."""
    return linear_points(progress_rate(ind), PROGRESS_MAX)


def progress_points_received_variant(ind: Indicators) -> Fraction | None:
    """20 × (early + on time) / received: the score reverse-engineered from the live API.
    UNCONFIRMED [S22 SCORING_ANALYSIS_M0.md]; not used in the total."""
    return linear_points(on_time_over_received(ind), PROGRESS_MAX)


def online_payment_points(ind: Indicators) -> Fraction | None:
    """6 × A of the reverse-engineered 6A + min(2, 2.5B) + 2.5C. UNCONFIRMED [S22]."""
    return linear_points(online_payment_share(ind), Fraction(6))


def complaint_points(ind: Indicators, max_points: Fraction) -> Fraction | None:
    """Full marks when no complaint was filed in the period; otherwise None, because
    complaint handling (timeliness, satisfaction) is not in the events. [S22] 5.2, 5.3."""
    return max_points if ind.complaints == 0 else None


def _clamp(rate: Fraction) -> Fraction:
    return min(ONE, max(Fraction(0), rate))


# Decision 766 -----------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentScore:
    code: str
    name: str
    max_points: Fraction
    points: Fraction | None
    computable: bool = True
    unconfirmed: bool = False


@dataclass(frozen=True)
class GroupScore:
    name: str
    max_points: Fraction
    components: tuple[ComponentScore, ...]

    @property
    def points(self) -> Fraction | None:
        """Sum of the components that have points; None when none has."""
        scored = [c.points for c in self.components if c.points is not None]
        return sum(scored, Fraction(0)) if scored else None

    @property
    def scored_max(self) -> Fraction:
        """Maximum of the components that have points."""
        return sum((c.max_points for c in self.components if c.points is not None), Fraction(0))

    @property
    def scaled(self) -> Fraction | None:
        """points × max / scored_max: the missing components assumed at the same rate."""
        points = self.points
        if points is None:
            return None
        return points * self.max_points / self.scored_max


@dataclass(frozen=True)
class Decision766Score:
    groups: tuple[GroupScore, ...]

    @property
    def points(self) -> Fraction:
        """Points of every computed component (out of ``scored_max``, not 100)."""
        return sum((g.points for g in self.groups if g.points is not None), Fraction(0))

    @property
    def scored_max(self) -> Fraction:
        return sum((g.scored_max for g in self.groups), Fraction(0))


def decision766(ind: Indicators) -> Decision766Score:
    """The Decision 766 groups, as far as dossier events allow. [S22][S25]"""
    return Decision766Score(
        groups=(
            _transparency(),
            _progress(ind),
            _online(ind),
            _payment(ind),
            _digitisation(ind),
            _satisfaction(ind),
        )
    )


def _absent(code: str, name: str, max_points: int, unconfirmed: bool = False) -> ComponentScore:
    return ComponentScore(code, name, Fraction(max_points), None, False, unconfirmed)


def _transparency() -> GroupScore:
    return GroupScore(
        "transparency",
        Fraction(18),
        (
            _absent("1.1", "procedures published on time", 6),
            _absent("1.2", "posted to the national procedure database on time", 4),
            _absent("1.3", "complete procedure content", 2),
            _absent("1.4", "dossiers synced to DVCQG", 6),
        ),
    )


def _progress(ind: Indicators) -> GroupScore:
    component = ComponentScore("2.1", "early or on time", PROGRESS_MAX, progress_points(ind))
    return GroupScore("progress", PROGRESS_MAX, (component,))


def _online(ind: Indicators) -> GroupScore:
    offered, submitted, full = ONLINE_SPLIT
    return GroupScore(
        "online",
        Fraction(12),
        (
            ComponentScore("3.1", "procedures offered online", offered, None, False, True),
            ComponentScore(
                "3.3",
                "online submission share",
                submitted,
                threshold_points(online_share(ind), submitted, ONLINE_SUBMISSION_FULL_AT),
                unconfirmed=True,
            ),
            ComponentScore(
                "3.4",
                "full-process online share",
                full,
                linear_points(full_online_share(ind), full),
                unconfirmed=True,
            ),
        ),
    )


def _payment(ind: Indicators) -> GroupScore:
    return GroupScore(
        "payment",
        Fraction(10),
        (
            ComponentScore(
                "3.6", "dossiers paid online", Fraction(6), online_payment_points(ind), True, True
            ),
            _absent("3.5b", "procedure fee ratio B", 2, unconfirmed=True),
            _absent("3.5c", "procedure fee ratio C", 2, unconfirmed=True),
        ),
    )


def _digitisation(ind: Indicators) -> GroupScore:
    return GroupScore(
        "digitisation",
        Fraction(22),
        (
            ComponentScore(
                "4.1",
                "e-results issued",
                Fraction(6),
                linear_points(e_result_share(ind), Fraction(6)),
            ),
            ComponentScore(
                "4.2",
                "digitised dossiers",
                Fraction(4),
                threshold_points(digitised_share(ind), Fraction(4), DIGITISED_FULL_AT),
            ),
            _absent("4.3", "reused digitised data", 2),
            _absent("4.4", "linked to the citizen's DVCQG store", 4),
            _absent("4.5a", "population data per dossier", 2),
            _absent("4.5b", "population data per procedure", 2),
            _absent("4.6", "e-certified copies", 2),
        ),
    )


def _satisfaction(ind: Indicators) -> GroupScore:
    six = Fraction(6)
    return GroupScore(
        "satisfaction",
        Fraction(18),
        (
            ComponentScore(
                "5.4",
                "processing satisfaction",
                six,
                threshold_points(
                    processing_satisfaction_rate(ind), six, PROCESSING_SATISFACTION_FULL_AT
                ),
                unconfirmed=True,
            ),
            ComponentScore("5.2", "complaints handled on time", six, complaint_points(ind, six)),
            ComponentScore("5.3", "complaint satisfaction", six, complaint_points(ind, six)),
        ),
    )
