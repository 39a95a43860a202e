"""Indicator counts for a scope and period, two ways that must agree.

``count`` is the reference: it reads the dossier facts directly. ``evaluate`` reads
the additive counter table kept by ``counters.contributions``. Rates and scores are
derived from the counts in ``formulas``.

Attribution:
- received, channel, digitised, obligation and online payment: the reception date;
- resolved early / on time / late (late with and without an apology), re-appointments
  kept and broken, and processing time: the date handling ended
  (``DossierFacts.end_at``), counted only once tracking's verdict is known;
- refused, withdrawn/stopped, returned, finished, e-results, supplement requests,
  apologies, ratings, complaints, overdue alerts and their withdrawals: the date each
  happened;
- carried over: received before the period's first day and not ended before it;
- in progress: open at the close of the as-of day, the earlier of today (``now``'s
  local date) and the period's last day. It is overdue when it stands overdue at that
  day's close by the rule every service shares (``motcua.verdicts``): by working day
  (the default), when its appointment day is before the as-of day; otherwise within
  deadline (also when no deadline is set yet and while the clock is paused).
  Finishing on the appointment day is on time, so a dossier due on the as-of day is
  still within deadline; one due on a period's last day and open at its close turns
  overdue on the next day, in the next period.
"""

from __future__ import annotations

import re
from collections import Counter as Multiset
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from motcua.verdicts import Granularity, overdue_on
from motcua_scoring.domain.counters import (
    CHANNEL_COUNTERS,
    HISTOGRAM_PREFIX,
    Counter,
    CounterKey,
    half_day_bucket,
    resolution_counters,
)
from motcua_scoring.domain.facts import SATISFIED_FROM, AlertKind, DossierFacts
from motcua_scoring.domain.periods import Period, cover_keys, local_date, local_midnight
from motcua_scoring.domain.scopes import Scope, scopes_of

__all__ = [
    "Indicators",
    "RowsNeeded",
    "as_of_day",
    "count",
    "evaluate",
    "evaluate_each",
    "rows_needed",
]

_YEAR_KEY = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Indicators:
    """The counted numbers of one scope and period, as of one local day."""

    scope: Scope
    period: Period
    as_of: date
    received: int = 0
    received_counter: int = 0
    received_online_full: int = 0
    received_online_partial: int = 0
    received_postal: int = 0
    received_digitised: int = 0
    with_obligation: int = 0
    paid_online: int = 0
    carried_over: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    resolved_late_with_apology: int = 0
    resolved_late_without_apology: int = 0
    reappointments_kept: int = 0
    reappointments_broken: int = 0
    in_progress_within: int = 0
    in_progress_overdue: int = 0
    refused: int = 0
    withdrawn: int = 0
    returned: int = 0
    finished: int = 0
    e_results: int = 0
    supplement_requests: int = 0
    apologies: int = 0
    late_apologies: int = 0
    rated: int = 0
    rating_sum: int = 0
    satisfied: int = 0
    complaints: int = 0
    complaints_or_dislikes: int = 0
    overdue_alerts: int = 0
    overdue_alerts_withdrawn: int = 0
    processing_millidays: int = 0
    processing_histogram: tuple[tuple[int, int], ...] = ()

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress(self) -> int:
        return self.in_progress_within + self.in_progress_overdue

    @property
    def received_online(self) -> int:
        return self.received_online_full + self.received_online_partial


def as_of_day(period: Period, now: datetime) -> date:
    """The day in-progress numbers are taken at: today or the period's last day."""
    return min(local_date(now), period.last)


@dataclass(frozen=True)
class RowsNeeded:
    """The period keys ``evaluate`` reads for one period: every counter of the ``flows``
    keys, and only the standing counters (open and overdue marks) of the ``standing`` keys.
    """

    flows: frozenset[str]
    standing: frozenset[str]

    def __or__(self, other: RowsNeeded) -> RowsNeeded:
        return RowsNeeded(self.flows | other.flows, self.standing | other.standing)


def rows_needed(period: Period, now: datetime, earliest_year: int) -> RowsNeeded:
    """What ``evaluate`` needs of a scope's table for ``period`` at ``now``.

    Standing numbers are running totals from the start of time; years before
    ``earliest_year`` are assumed to hold no marks.
    """
    flows = frozenset(cover_keys(period.first, period.last))
    standing: set[str] = set()
    for day in (period.first - timedelta(days=1), as_of_day(period, now)):
        standing.update(str(year) for year in range(earliest_year, day.year))
        standing.update(cover_keys(date(day.year, 1, 1), day))
    return RowsNeeded(flows, frozenset(standing))


def count(
    facts: Iterable[DossierFacts],
    scope: Scope,
    period: Period,
    now: datetime,
    granularity: Granularity = Granularity.WORKING_DAY,
) -> Indicators:
    """The reference: indicators computed directly from the dossier facts."""
    as_of = as_of_day(period, now)
    totals: Multiset[str] = Multiset()
    histogram: Multiset[int] = Multiset()
    for dossier in facts:
        if scope in scopes_of(dossier):
            _count_dossier(dossier, period, as_of, totals, histogram, granularity)
    return _indicators(scope, period, as_of, totals, histogram)


def evaluate(
    table: Mapping[CounterKey, int], scope: Scope, period: Period, now: datetime
) -> Indicators:
    """Indicators read from the counter table; equal to ``count`` on the same facts.

    The table must hold the scope's rows for the periods tiling this one and for all
    earlier years (running totals for carried-over and in-progress numbers).
    """
    return _evaluate_rows(_ScopeRows(table, scope.key), scope, period, now)


def evaluate_each(
    table: Mapping[CounterKey, int], scope: Scope, periods: Iterable[Period], now: datetime
) -> dict[Period, Indicators]:
    """``evaluate`` for several periods of one scope, indexing its rows once."""
    rows = _ScopeRows(table, scope.key)
    return {period: _evaluate_rows(rows, scope, period, now) for period in periods}


def _evaluate_rows(rows: _ScopeRows, scope: Scope, period: Period, now: datetime) -> Indicators:
    as_of = as_of_day(period, now)
    totals: Multiset[str] = Multiset()
    histogram: Multiset[int] = Multiset()
    for counter, amount in rows.flows(period).items():
        if counter.startswith(HISTOGRAM_PREFIX):
            histogram[int(counter.removeprefix(HISTOGRAM_PREFIX))] += amount
        else:
            totals[counter] += amount
    day_before = period.first - timedelta(days=1)
    totals["carried_over"] = rows.standing(Counter.OPEN_FROM, Counter.OPEN_UNTIL, day_before)
    open_now = rows.standing(Counter.OPEN_FROM, Counter.OPEN_UNTIL, as_of)
    overdue = rows.standing(Counter.OVERDUE_FROM, Counter.OVERDUE_UNTIL, as_of)
    totals["in_progress_overdue"] = overdue
    totals["in_progress_within"] = open_now - overdue
    return _indicators(scope, period, as_of, totals, histogram)


def _count_dossier(
    dossier: DossierFacts,
    period: Period,
    as_of: date,
    totals: Multiset[str],
    histogram: Multiset[int],
    granularity: Granularity,
) -> None:
    _count_reception(dossier, period, totals)
    _count_standing(dossier, period, as_of, totals, granularity)
    _count_resolution(dossier, period, totals, histogram)
    _count_happenings(dossier, period, totals)
    _count_satisfaction(dossier, period, totals)


def _count_reception(dossier: DossierFacts, period: Period, totals: Multiset[str]) -> None:
    reception = dossier.reception
    if reception is None or not period.contains(reception.at):
        return
    totals[Counter.RECEIVED] += 1
    if reception.identity.channel:
        totals[CHANNEL_COUNTERS[reception.identity.channel]] += 1
    totals[Counter.RECEIVED_DIGITISED] += dossier.digitised
    totals[Counter.WITH_OBLIGATION] += dossier.has_obligation
    totals[Counter.PAID_ONLINE] += dossier.has_obligation and dossier.paid_online


def _count_standing(
    dossier: DossierFacts,
    period: Period,
    as_of: date,
    totals: Multiset[str],
    granularity: Granularity,
) -> None:
    received_at, end_at = dossier.received_at, dossier.end_at
    if received_at is None:
        return
    if received_at < period.start and (end_at is None or end_at >= period.start):
        totals["carried_over"] += 1
    close = local_midnight(as_of + timedelta(days=1))
    if received_at < close and (end_at is None or end_at >= close):
        overdue = overdue_on(dossier.due_at, as_of, granularity)
        totals["in_progress_overdue" if overdue else "in_progress_within"] += 1


def _count_resolution(
    dossier: DossierFacts, period: Period, totals: Multiset[str], histogram: Multiset[int]
) -> None:
    end_at, judgement = dossier.end_at, dossier.judgement
    if end_at is None or judgement is None or not period.contains(end_at):
        return
    for counter in resolution_counters(dossier):
        totals[counter] += 1
    totals[Counter.PROCESSING_MILLIDAYS] += int(judgement.processing_days * 1000)
    histogram[half_day_bucket(judgement.processing_days)] += 1


def _count_happenings(dossier: DossierFacts, period: Period, totals: Multiset[str]) -> None:
    for counter, at in (
        (Counter.REFUSED, dossier.refused_at),
        (Counter.WITHDRAWN, dossier.withdrawn_at),
        (Counter.RETURNED, dossier.returned_at),
        (Counter.FINISHED, dossier.finished_at),
    ):
        totals[counter] += at is not None and period.contains(at)
    if dossier.finished_at and period.contains(dossier.finished_at):
        totals[Counter.E_RESULTS] += dossier.e_result_issued
    totals[Counter.SUPPLEMENT_REQUESTS] += sum(map(period.contains, dossier.supplement_requests))
    for apology in dossier.apologies:
        if period.contains(apology.at):
            totals[Counter.APOLOGIES] += 1
            totals[Counter.LATE_APOLOGIES] += apology.late
    for alert in dossier.alerts:
        overdue = alert.kind is AlertKind.OVERDUE
        totals[Counter.OVERDUE_ALERTS] += overdue and period.contains(alert.at)
    for withdrawal in dossier.withdrawals:
        overdue = withdrawal.kind is AlertKind.OVERDUE
        totals[Counter.OVERDUE_ALERTS_WITHDRAWN] += overdue and period.contains(withdrawal.at)


def _count_satisfaction(dossier: DossierFacts, period: Period, totals: Multiset[str]) -> None:
    rating = dossier.rating
    if rating and rating.score is not None and period.contains(rating.at):
        totals[Counter.RATED] += 1
        totals[Counter.RATING_SUM] += rating.score
        totals[Counter.SATISFIED] += rating.score >= SATISFIED_FROM
    complained_at = dossier.complained_at
    totals[Counter.COMPLAINTS] += complained_at is not None and period.contains(complained_at)
    unhappy = [at for at in (complained_at, dossier.disliked_at) if at is not None]
    if unhappy and period.contains(min(unhappy)):
        totals[Counter.COMPLAINTS_OR_DISLIKES] += 1


def _indicators(
    scope: Scope,
    period: Period,
    as_of: date,
    totals: Multiset[str],
    histogram: Multiset[int],
) -> Indicators:
    return Indicators(
        scope=scope,
        period=period,
        as_of=as_of,
        received=totals[Counter.RECEIVED],
        received_counter=totals[Counter.RECEIVED_COUNTER],
        received_online_full=totals[Counter.RECEIVED_ONLINE_FULL],
        received_online_partial=totals[Counter.RECEIVED_ONLINE_PARTIAL],
        received_postal=totals[Counter.RECEIVED_POSTAL],
        received_digitised=totals[Counter.RECEIVED_DIGITISED],
        with_obligation=totals[Counter.WITH_OBLIGATION],
        paid_online=totals[Counter.PAID_ONLINE],
        carried_over=totals["carried_over"],
        resolved_early=totals[Counter.RESOLVED_EARLY],
        resolved_on_time=totals[Counter.RESOLVED_ON_TIME],
        resolved_late=totals[Counter.RESOLVED_LATE],
        resolved_late_with_apology=totals[Counter.RESOLVED_LATE_WITH_APOLOGY],
        resolved_late_without_apology=totals[Counter.RESOLVED_LATE_WITHOUT_APOLOGY],
        reappointments_kept=totals[Counter.REAPPOINTMENTS_KEPT],
        reappointments_broken=totals[Counter.REAPPOINTMENTS_BROKEN],
        in_progress_within=totals["in_progress_within"],
        in_progress_overdue=totals["in_progress_overdue"],
        refused=totals[Counter.REFUSED],
        withdrawn=totals[Counter.WITHDRAWN],
        returned=totals[Counter.RETURNED],
        finished=totals[Counter.FINISHED],
        e_results=totals[Counter.E_RESULTS],
        supplement_requests=totals[Counter.SUPPLEMENT_REQUESTS],
        apologies=totals[Counter.APOLOGIES],
        late_apologies=totals[Counter.LATE_APOLOGIES],
        rated=totals[Counter.RATED],
        rating_sum=totals[Counter.RATING_SUM],
        satisfied=totals[Counter.SATISFIED],
        complaints=totals[Counter.COMPLAINTS],
        complaints_or_dislikes=totals[Counter.COMPLAINTS_OR_DISLIKES],
        overdue_alerts=totals[Counter.OVERDUE_ALERTS],
        overdue_alerts_withdrawn=totals[Counter.OVERDUE_ALERTS_WITHDRAWN],
        processing_millidays=totals[Counter.PROCESSING_MILLIDAYS],
        processing_histogram=tuple(sorted((k, v) for k, v in histogram.items() if v)),
    )


class _ScopeRows:
    """One scope's rows of the counter table, indexed by counter then period key."""

    def __init__(self, table: Mapping[CounterKey, int], scope_key: str) -> None:
        self._rows: dict[str, dict[str, int]] = {}
        self._years: dict[tuple[str, int], int] = {}
        for key, amount in table.items():
            if key.scope == scope_key:
                self._rows.setdefault(key.counter, {})[key.period] = amount

    def flows(self, period: Period) -> Multiset[str]:
        tiles = cover_keys(period.first, period.last)
        sums: Multiset[str] = Multiset()
        for counter, by_period in self._rows.items():
            sums[counter] += sum(by_period.get(tile, 0) for tile in tiles)
        return sums

    def standing(self, opening: Counter, closing: Counter, day: date) -> int:
        """How many are in the state at the close of ``day``."""
        return self._running_total(opening, day) - self._running_total(closing, day)

    def _running_total(self, counter: Counter, day: date) -> int:
        by_period = self._rows.get(counter)
        if not by_period:
            return 0
        this_year = cover_keys(date(day.year, 1, 1), day)
        return self._earlier_years(counter, day.year) + sum(
            by_period.get(tile, 0) for tile in this_year
        )

    def _earlier_years(self, counter: Counter, year: int) -> int:
        cached = self._years.get((counter, year))
        if cached is None:
            cached = self._years[(counter, year)] = sum(
                amount
                for key, amount in self._rows.get(counter, {}).items()
                if _YEAR_KEY.match(key) and int(key) < year
            )
        return cached
