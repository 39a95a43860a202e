"""Order independence: counters kept with deltas, in any order and with redelivered
updates, equal the counters and indicators recomputed from scratch."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.vocabulary import ApologyStanding
from motcua_scoring.domain.counters import CounterKey, add, contributions, counters, tally
from motcua_scoring.domain.facts import (
    AlertFired,
    AlertKind,
    AlertWithdrawn,
    ApologyIssued,
    Channel,
    DeadlineSet,
    DossierFacts,
    FactUpdate,
    Identity,
    ObligationSet,
    Paid,
    PaymentMethod,
    ProcessingFinished,
    Rated,
    Reappointed,
    Received,
    Refused,
    ResultReturned,
    SupplementReceived,
    SupplementRequested,
    Transferred,
    Verdict,
    VerdictGiven,
    Withdrawn,
    apply,
    apply_all,
)
from motcua_scoring.domain.indicators import count, evaluate
from motcua_scoring.domain.periods import (
    LOCAL_TZ,
    Period,
    day_period,
    month_period,
    parse_period,
    quarter_period,
    range_period,
    year_period,
)
from motcua_scoring.domain.scopes import PROVINCE, Scope, ScopeKind, parse_scope

instants = st.builds(
    lambda day, clock: datetime.combine(day, clock, LOCAL_TZ),
    st.dates(date(2026, 9, 28), date(2027, 1, 4)),
    st.sampled_from([time(0, 0), time(8, 0), time(16, 30), time(23, 59)]),
)
identities = st.builds(
    Identity,
    agency=st.sampled_from(["STP", "SXD"]),
    procedure=st.sampled_from(["P1", "P2"]),
    field=st.just("F"),
    channel=st.sampled_from(Channel),
    unit=st.sampled_from(["A", "B", None]),
)
processing_days = st.integers(0, 80).map(lambda n: Decimal(n) / 4) | st.decimals(0, 30, places=3)
revisions = st.integers(0, 2)
alert_ids = st.sampled_from(["e1", "e2", "e3"])
verdicts = st.builds(
    VerdictGiven,
    instants,
    st.sampled_from(Verdict),
    processing_days,
    st.sampled_from(ApologyStanding),
    st.none() | st.booleans(),
    revisions,
)
updates: st.SearchStrategy[FactUpdate] = st.one_of(
    st.builds(Received, instants, identities, st.booleans()),
    st.builds(Refused, instants, st.none() | identities),
    st.builds(Transferred, instants, st.sampled_from("ABC"), st.none() | st.just("SXD")),
    st.builds(SupplementRequested, instants),
    st.builds(SupplementReceived, instants),
    st.builds(ObligationSet, instants),
    st.builds(Paid, instants, st.sampled_from(PaymentMethod)),
    st.builds(ProcessingFinished, instants, st.booleans()),
    st.builds(ResultReturned, instants),
    st.builds(Withdrawn, instants),
    st.builds(DeadlineSet, instants, st.none() | instants, revisions),
    st.builds(Reappointed, instants, instants),
    verdicts,
    st.builds(ApologyIssued, instants, st.booleans()),
    st.builds(AlertFired, instants, alert_ids, st.sampled_from(AlertKind), instants, st.booleans()),
    st.builds(AlertWithdrawn, instants, alert_ids, st.sampled_from(AlertKind), st.booleans()),
    st.builds(Rated, instants, st.integers(1, 5), st.booleans()),
    st.builds(Rated, instants, st.none(), st.just(True)),
)
histories = st.lists(
    st.tuples(st.sampled_from(["D1", "D2", "D3", "D4", "D5"]), updates), max_size=40
)

PERIODS: list[Period] = [
    month_period(2026, 9),
    month_period(2026, 10),
    month_period(2026, 11),
    month_period(2026, 12),
    month_period(2027, 1),
    quarter_period(2026, 3),
    quarter_period(2026, 4),
    year_period(2026),
    year_period(2027),
    day_period(date(2026, 10, 31)),
    day_period(date(2026, 11, 1)),
    day_period(date(2027, 1, 1)),
    range_period(date(2026, 10, 15), date(2026, 11, 20)),
    range_period(date(2026, 12, 20), date(2027, 1, 3)),
]
NOWS = [
    datetime(2026, 11, 21, 10, tzinfo=LOCAL_TZ),
    datetime(2027, 1, 10, tzinfo=LOCAL_TZ),
    datetime(2026, 9, 1, tzinfo=LOCAL_TZ),
]


def replay(history: list[tuple[str, FactUpdate]]) -> dict[str, DossierFacts]:
    codes = sorted({code for code, _ in history})
    return {
        code: apply_all(DossierFacts(code), [u for c, u in history if c == code]) for code in codes
    }


@settings(max_examples=150, deadline=None)
@given(history=histories, data=st.data())
def test_deltas_in_any_order_equal_a_recount(
    history: list[tuple[str, FactUpdate]], data: st.DataObject
) -> None:
    redelivered = history + data.draw(st.lists(st.sampled_from(history))) if history else []
    arrival = data.draw(st.permutations(redelivered))
    facts: dict[str, DossierFacts] = {}
    table: dict[CounterKey, int] = {}
    for code, update in arrival:
        old = facts.get(code)
        new = apply(old or DossierFacts(code), update)
        table = add(table, contributions(old, new))
        facts[code] = new

    final = replay(history)
    assert facts == final
    assert table == tally(final.values())
    scopes = {PROVINCE} | {parse_scope(key.scope) for key in table}
    for period in PERIODS:
        now = data.draw(st.sampled_from(NOWS))
        for scope in scopes:
            assert evaluate(table, scope, period, now) == count(final.values(), scope, period, now)


@settings(max_examples=100, deadline=None)
@given(history=histories)
def test_the_province_is_the_sum_of_its_agencies(history: list[tuple[str, FactUpdate]]) -> None:
    final = list(replay(history).values())
    agencies = {agency for agency in (f.agency for f in final) if agency}
    for period in PERIODS[:5]:
        province = count(final, PROVINCE, period, NOWS[0])
        parts = [count(final, Scope(ScopeKind.AGENCY, a), period, NOWS[0]) for a in agencies]
        for name in ("received", "resolved", "in_progress", "carried_over", "refused"):
            assert getattr(province, name) == sum(getattr(p, name) for p in parts)


@settings(max_examples=100, deadline=None)
@given(history=histories)
def test_every_counter_row_names_a_parsable_scope_and_period(
    history: list[tuple[str, FactUpdate]],
) -> None:
    for dossier in replay(history).values():
        for key in counters(dossier):
            assert parse_scope(key.scope).key == key.scope
            assert parse_period(key.period).key == key.period


@settings(max_examples=150, deadline=None)
@given(given=st.lists(verdicts, min_size=1, max_size=6), data=st.data())
def test_the_verdict_of_the_highest_revision_stands_in_any_order(
    given: list[VerdictGiven], data: st.DataObject
) -> None:
    arrival = data.draw(st.permutations(given))
    facts = apply_all(DossierFacts("D"), arrival)

    assert facts.judgement is not None
    top = max(v.revision for v in given)
    assert facts.judgement.revision == top
    assert facts.judgement.at == max(v.at for v in given if v.revision == top)
    assert facts == apply_all(DossierFacts("D"), given)


@settings(max_examples=150, deadline=None)
@given(
    changes=st.lists(st.builds(DeadlineSet, instants, st.none() | instants, revisions), min_size=1),
    data=st.data(),
)
def test_the_deadline_of_the_highest_revision_stands_in_any_order(
    changes: list[DeadlineSet], data: st.DataObject
) -> None:
    arrival = data.draw(st.permutations(changes))
    facts = apply_all(DossierFacts("D"), arrival)

    assert facts.deadline is not None
    top = max(c.revision for c in changes)
    assert facts.deadline.revision == top
    assert facts.deadline.at == max(c.at for c in changes if c.revision == top)
    assert facts == apply_all(DossierFacts("D"), changes)
