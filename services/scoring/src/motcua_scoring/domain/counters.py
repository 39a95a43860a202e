"""Additive counters keyed by (scope, period, counter).

A dossier's counters are a pure function of its facts. The counter table is the sum
over dossiers, so it can be kept up to date with ``contributions(old, new)`` deltas
or rebuilt with ``tally``; both give the same table. Every mark is filed under the
day, month, quarter and year of the local date it happens on.

Flow counters count what happened in a period. The ``*_from`` / ``*_until`` pairs
mark where a dossier enters and leaves a state (open; open and overdue), so the
number in that state at the close of a day is the running total of ``from - until``
up to that day; that is how carried-over and in-progress numbers stay additive.
"""

from __future__ import annotations

import math
from collections import Counter as Multiset
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from motcua.verdicts import Granularity, first_overdue_day
from motcua.vocabulary import Channel, Verdict
from motcua_scoring.domain.facts import SATISFIED_FROM, AlertKind, DossierFacts
from motcua_scoring.domain.periods import calendar_keys, local_date
from motcua_scoring.domain.scopes import scopes_of

__all__ = [
    "APOLOGY_COUNTERS",
    "CHANNEL_COUNTERS",
    "HISTOGRAM_PREFIX",
    "REAPPOINTMENT_COUNTERS",
    "STANDING_COUNTERS",
    "VERDICT_COUNTERS",
    "Counter",
    "CounterKey",
    "Mark",
    "Table",
    "add",
    "contributions",
    "counters",
    "half_day_bucket",
    "histogram_counter",
    "marks",
    "resolution_counters",
    "tally",
]

HISTOGRAM_PREFIX = "processing_half_days:"


class Counter(StrEnum):
    RECEIVED = "received"
    RECEIVED_COUNTER = "received_counter"
    RECEIVED_ONLINE_FULL = "received_online_full"
    RECEIVED_ONLINE_PARTIAL = "received_online_partial"
    RECEIVED_POSTAL = "received_postal"
    RECEIVED_DIGITISED = "received_digitised"
    WITH_OBLIGATION = "with_obligation"
    PAID_ONLINE = "paid_online"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    RETURNED = "returned"
    FINISHED = "finished"
    E_RESULTS = "e_results"
    RESOLVED_EARLY = "resolved_early"
    RESOLVED_ON_TIME = "resolved_on_time"
    RESOLVED_LATE = "resolved_late"
    RESOLVED_LATE_WITH_APOLOGY = "resolved_late_with_apology"
    RESOLVED_LATE_WITHOUT_APOLOGY = "resolved_late_without_apology"
    REAPPOINTMENTS_KEPT = "reappointments_kept"
    REAPPOINTMENTS_BROKEN = "reappointments_broken"
    PROCESSING_MILLIDAYS = "processing_millidays"
    SUPPLEMENT_REQUESTS = "supplement_requests"
    APOLOGIES = "apologies"
    LATE_APOLOGIES = "late_apologies"
    RATED = "rated"
    RATING_SUM = "rating_sum"
    SATISFIED = "satisfied"
    COMPLAINTS = "complaints"
    COMPLAINTS_OR_DISLIKES = "complaints_or_dislikes"
    OVERDUE_ALERTS = "overdue_alerts"
    OVERDUE_ALERTS_WITHDRAWN = "overdue_alerts_withdrawn"
    OPEN_FROM = "open_from"
    OPEN_UNTIL = "open_until"
    OVERDUE_FROM = "overdue_from"
    OVERDUE_UNTIL = "overdue_until"


STANDING_COUNTERS = (
    Counter.OPEN_FROM,
    Counter.OPEN_UNTIL,
    Counter.OVERDUE_FROM,
    Counter.OVERDUE_UNTIL,
)

CHANNEL_COUNTERS = {
    Channel.COUNTER: Counter.RECEIVED_COUNTER,
    Channel.ONLINE_FULL: Counter.RECEIVED_ONLINE_FULL,
    Channel.ONLINE_PARTIAL: Counter.RECEIVED_ONLINE_PARTIAL,
    Channel.POSTAL: Counter.RECEIVED_POSTAL,
}

VERDICT_COUNTERS = {
    Verdict.EARLY: Counter.RESOLVED_EARLY,
    Verdict.ON_TIME: Counter.RESOLVED_ON_TIME,
    Verdict.LATE: Counter.RESOLVED_LATE,
}


APOLOGY_COUNTERS = {
    True: Counter.RESOLVED_LATE_WITH_APOLOGY,
    False: Counter.RESOLVED_LATE_WITHOUT_APOLOGY,
}

REAPPOINTMENT_COUNTERS = {
    True: Counter.REAPPOINTMENTS_KEPT,
    False: Counter.REAPPOINTMENTS_BROKEN,
}


class CounterKey(NamedTuple):
    scope: str
    period: str
    counter: str


Table = dict[CounterKey, int]
Mark = tuple[date, str, int]


def half_day_bucket(days: Decimal) -> int:
    """Processing days as a whole number of half days, rounded up (2.5 -> 5, 2.6 -> 6)."""
    return max(0, math.ceil(days * 2))


def histogram_counter(half_days: int) -> str:
    """The histogram counter for a bucket of half days, e.g. ``processing_half_days:5``."""
    return f"{HISTOGRAM_PREFIX}{half_days}"


def counters(facts: DossierFacts, granularity: Granularity = Granularity.WORKING_DAY) -> Table:
    """One dossier's contribution to the counter table (no zero entries)."""
    return _expand(_marks_by_day(facts, granularity), [scope.key for scope in scopes_of(facts)])


def contributions(
    old: DossierFacts | None,
    new: DossierFacts,
    granularity: Granularity = Granularity.WORKING_DAY,
) -> Table:
    """The deltas that turn ``old``'s counters into ``new``'s (no zero entries).

    ``now`` is not needed: stored counters never depend on the clock, only on facts.
    When the dossier stays in the same scopes only the marks that moved are expanded.
    """
    if old is not None and scopes_of(old) == scopes_of(new):
        moved = _marks_by_day(new, granularity)
        moved.subtract(_marks_by_day(old, granularity))
        return _expand(moved, [scope.key for scope in scopes_of(new)])
    deltas: Multiset[CounterKey] = Multiset(counters(new, granularity))
    deltas.subtract(counters(old, granularity) if old else {})
    return {key: amount for key, amount in deltas.items() if amount}


def _marks_by_day(facts: DossierFacts, granularity: Granularity) -> Multiset[tuple[date, str]]:
    summed: Multiset[tuple[date, str]] = Multiset()
    for day, counter, amount in marks(facts, granularity):
        summed[(day, counter)] += amount
    return summed


def _expand(summed: Multiset[tuple[date, str]], scopes: list[str]) -> Table:
    # Summed under plain tuples (equal to the keys they become), each made a CounterKey
    # once at the end: a NamedTuple's constructor and Counter's `+=` cost twice as much.
    table: dict[tuple[str, str, str], int] = {}
    get = table.get
    for (day, counter), amount in summed.items():
        if amount:
            for period in calendar_keys(day):
                for scope in scopes:
                    key = (scope, period, counter)
                    table[key] = get(key, 0) + amount
    return {CounterKey._make(key): amount for key, amount in table.items() if amount}


def tally(
    facts: Iterable[DossierFacts], granularity: Granularity = Granularity.WORKING_DAY
) -> Table:
    """The whole counter table rebuilt from scratch."""
    table: Table = {}
    for dossier in facts:
        table = add(table, counters(dossier, granularity))
    return table


def add(table: Mapping[CounterKey, int], deltas: Mapping[CounterKey, int]) -> Table:
    """A table with deltas added; rows that reach zero are dropped."""
    result = dict(table)
    for key, amount in deltas.items():
        total = result.get(key, 0) + amount
        if total:
            result[key] = total
        else:
            result.pop(key, None)
    return result


def marks(
    facts: DossierFacts, granularity: Granularity = Granularity.WORKING_DAY
) -> Iterator[Mark]:
    """Every (local date, counter, amount) a dossier contributes, before scoping."""
    yield from _reception_marks(facts)
    yield from _ending_marks(facts)
    yield from _resolution_marks(facts)
    yield from _event_marks(facts)
    yield from _satisfaction_marks(facts)
    yield from _alert_marks(facts)
    yield from _open_marks(facts)
    yield from _overdue_marks(facts, granularity)


def _reception_marks(facts: DossierFacts) -> Iterator[Mark]:
    if facts.reception is None:
        return
    day = local_date(facts.reception.at)
    yield day, Counter.RECEIVED, 1
    if facts.reception.identity.channel:
        yield day, CHANNEL_COUNTERS[facts.reception.identity.channel], 1
    if facts.digitised:
        yield day, Counter.RECEIVED_DIGITISED, 1
    if facts.has_obligation:
        yield day, Counter.WITH_OBLIGATION, 1
    if facts.has_obligation and facts.paid_online:
        yield day, Counter.PAID_ONLINE, 1


def _ending_marks(facts: DossierFacts) -> Iterator[Mark]:
    if facts.refused_at:
        yield local_date(facts.refused_at), Counter.REFUSED, 1
    if facts.withdrawn_at:
        yield local_date(facts.withdrawn_at), Counter.WITHDRAWN, 1
    if facts.returned_at:
        yield local_date(facts.returned_at), Counter.RETURNED, 1
    if facts.finished_at:
        yield local_date(facts.finished_at), Counter.FINISHED, 1
        if facts.e_result_issued:
            yield local_date(facts.finished_at), Counter.E_RESULTS, 1


def resolution_counters(facts: DossierFacts) -> tuple[Counter, ...]:
    """The resolution counters a dossier counts in once handling ended and tracking's
    verdict is known (none before): its verdict (early, on time, late), for a late one
    with or without an apology, and a re-appointment kept or broken. The counts and the
    list of resolved dossiers both read this."""
    judgement = facts.judgement
    if facts.end_at is None or judgement is None:
        return ()
    found = [VERDICT_COUNTERS[judgement.verdict]]
    if (with_apology := facts.late_with_apology) is not None:
        found.append(APOLOGY_COUNTERS[with_apology])
    if (kept := facts.reappointment_kept) is not None:
        found.append(REAPPOINTMENT_COUNTERS[kept])
    return tuple(found)


def _resolution_marks(facts: DossierFacts) -> Iterator[Mark]:
    end_at, judgement = facts.end_at, facts.judgement
    if end_at is None or judgement is None:
        return
    day = local_date(end_at)
    for counter in resolution_counters(facts):
        yield day, counter, 1
    yield day, Counter.PROCESSING_MILLIDAYS, int(judgement.processing_days * 1000)
    yield day, histogram_counter(half_day_bucket(judgement.processing_days)), 1


def _event_marks(facts: DossierFacts) -> Iterator[Mark]:
    for requested_at in facts.supplement_requests:
        yield local_date(requested_at), Counter.SUPPLEMENT_REQUESTS, 1
    for apology in facts.apologies:
        yield local_date(apology.at), Counter.APOLOGIES, 1
        if apology.late:
            yield local_date(apology.at), Counter.LATE_APOLOGIES, 1


def _satisfaction_marks(facts: DossierFacts) -> Iterator[Mark]:
    rating = facts.rating
    if rating is not None and rating.score is not None:
        day = local_date(rating.at)
        yield day, Counter.RATED, 1
        yield day, Counter.RATING_SUM, rating.score
        if rating.score >= SATISFIED_FROM:
            yield day, Counter.SATISFIED, 1
    if facts.complained_at:
        yield local_date(facts.complained_at), Counter.COMPLAINTS, 1
    unhappy = [at for at in (facts.complained_at, facts.disliked_at) if at is not None]
    if unhappy:
        yield local_date(min(unhappy)), Counter.COMPLAINTS_OR_DISLIKES, 1


def _alert_marks(facts: DossierFacts) -> Iterator[Mark]:
    for alert in facts.alerts:
        if alert.kind is AlertKind.OVERDUE:
            yield local_date(alert.at), Counter.OVERDUE_ALERTS, 1
    for withdrawal in facts.withdrawals:
        if withdrawal.kind is AlertKind.OVERDUE:
            yield local_date(withdrawal.at), Counter.OVERDUE_ALERTS_WITHDRAWN, 1


def _open_marks(facts: DossierFacts) -> Iterator[Mark]:
    """Open at the close of day D when received on or before D and not ended by D."""
    if facts.received_at is None:
        return
    yield from _interval(local_date(facts.received_at), facts, Counter.OPEN_FROM)


def _overdue_marks(facts: DossierFacts, granularity: Granularity) -> Iterator[Mark]:
    """Overdue on day D when open at its close and overdue then by the shared rule
    (``motcua.verdicts``: by working day, the appointment day is before D); never while
    the clock is paused (no due time)."""
    if facts.received_at is None or facts.due_at is None:
        return
    first = max(local_date(facts.received_at), first_overdue_day(facts.due_at, granularity))
    yield from _interval(first, facts, Counter.OVERDUE_FROM)


def _interval(first: date, facts: DossierFacts, opening: Counter) -> Iterator[Mark]:
    closing = Counter.OPEN_UNTIL if opening is Counter.OPEN_FROM else Counter.OVERDUE_UNTIL
    end_day = local_date(facts.end_at) if facts.end_at else None
    if end_day is not None and end_day <= first:
        return
    yield first, opening, 1
    if end_day is not None:
        yield end_day, closing, 1
