"""The domain pieces the service leans on: the rows `evaluate` needs, anomalies, the flat
summary, partial identities of refused dossiers, and the facts' JSON round trip."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_scenario import NOW, UPDATES, dossiers, local, stp
from test_scoring_properties import NOWS, PERIODS, histories, replay

from motcua_scoring.adapters.facts_json import facts_from_json, facts_to_json
from motcua_scoring.domain import (
    FIGURES,
    LOWER_IS_BETTER,
    PROVINCE,
    STANDING_COUNTERS,
    Anomaly,
    Channel,
    DossierFacts,
    Identity,
    Received,
    Refused,
    Scope,
    ScopeKind,
    Verdict,
    VerdictGiven,
    anomalies,
    apply,
    count,
    evaluate,
    evaluate_each,
    rows_needed,
    scopes_of,
    summarise,
    tally,
)
from motcua_scoring.domain.counters import CounterKey, contributions, counters
from motcua_scoring.domain.periods import month_period, parse_period
from motcua_scoring.service.figures import figures_json

STP = Scope(ScopeKind.AGENCY, "STP")


def restricted(table: dict[CounterKey, int], scope: Scope, period, now) -> dict:
    need = rows_needed(period, now, earliest_year=2020)
    standing = {str(c) for c in STANDING_COUNTERS}
    return {
        key: value
        for key, value in table.items()
        if key.scope == scope.key
        and (key.period in need.flows or (key.period in need.standing and key.counter in standing))
    }


@settings(max_examples=80, deadline=None)
@given(history=histories, now=st.sampled_from(NOWS))
def test_the_rows_needed_are_enough_to_evaluate(history, now: datetime) -> None:
    facts = replay(history)
    table = tally(facts.values())
    for period in PERIODS:
        for scope in (PROVINCE, STP, Scope(ScopeKind.UNIT, "A")):
            small = restricted(table, scope, period, now)
            assert evaluate(small, scope, period, now) == evaluate(table, scope, period, now)


def test_evaluate_each_equals_evaluate_per_period() -> None:
    table = tally(dossiers())
    each = evaluate_each(table, STP, PERIODS, NOW)
    assert each == {period: evaluate(table, STP, period, NOW) for period in PERIODS}


@settings(max_examples=80, deadline=None)
@given(history=histories)
def test_contributions_equal_a_full_recount(history) -> None:
    facts: dict[str, DossierFacts] = {}
    for code, update in history:
        old = facts.get(code)
        new = apply(old or DossierFacts(code), update)
        expected = dict(counters(new))
        for key, value in (counters(old) if old else {}).items():
            expected[key] = expected.get(key, 0) - value
        assert contributions(old, new) == {k: v for k, v in expected.items() if v}
        facts[code] = new


def test_a_refusal_naming_only_agency_and_unit_counts_there_and_nowhere_else() -> None:
    facts = apply(DossierFacts("X"), Refused(local(11, 18), Identity("STP", None, None, None, "A")))

    assert {s.key for s in scopes_of(facts)} == {"province:all", "agency:STP", "unit:A"}
    november = month_period(2026, 11)
    assert count([facts], STP, november, NOW).refused == 1
    assert count([facts], Scope(ScopeKind.PROCEDURE, "P-BIRTH"), november, NOW).refused == 0
    assert evaluate(tally([facts]), STP, november, NOW) == count([facts], STP, november, NOW)


def test_anomalies_name_what_is_odd_and_redeliveries_are_not() -> None:
    verdict = VerdictGiven(local(11, 3, 18), Verdict.EARLY, Decimal(1))
    assert anomalies(DossierFacts("D"), verdict) == (Anomaly.UNKNOWN_DOSSIER,)

    d1 = dossiers()[0]
    for update in UPDATES["D1"]:
        assert anomalies(d1, update) == ()
    other = Received(local(11, 1), stp(Channel.POSTAL))
    assert anomalies(d1, other) == (Anomaly.CONFLICTING_RECEPTION,)
    late = VerdictGiven(local(11, 4), Verdict.LATE, Decimal(3))
    assert anomalies(d1, late) == (Anomaly.CONFLICTING_VERDICT,)
    assert anomalies(d1, VerdictGiven(local(10, 1), Verdict.EARLY, Decimal(1))) == (
        Anomaly.BEFORE_RECEPTION,
    )


def test_the_summary_names_every_figure_once() -> None:
    ind = count(dossiers(), STP, month_period(2026, 11), NOW)
    figures = summarise(ind)

    assert tuple(figures) == FIGURES
    assert set(FIGURES) >= LOWER_IS_BETTER
    assert figures["on_time_rate"] * 3 == 2
    assert figures["score_766_progress"] == 12
    as_json = figures_json(ind)
    assert as_json["on_time_rate"] == pytest.approx(2 / 3) and as_json["received"] == 4


@pytest.mark.parametrize("code", sorted(UPDATES))
def test_facts_survive_a_json_round_trip(code: str) -> None:
    facts = next(f for f in dossiers() if f.code == code)
    assert facts_from_json(facts_to_json(facts)) == facts


@settings(max_examples=100, deadline=None)
@given(history=histories)
def test_any_facts_survive_a_json_round_trip(history) -> None:
    for facts in replay(history).values():
        assert facts_from_json(facts_to_json(facts)) == facts


def test_rows_needed_of_a_range_reads_its_tiles() -> None:
    need = rows_needed(parse_period("2026-10-15..2026-11-30"), NOW, earliest_year=2025)
    assert {"2026-11", "2026-10-31", "2026-10-15"} <= need.flows
    assert "2025" in need.standing and "2026-Q3" in need.standing
    assert date(2026, 11, 21).isoformat() in need.standing
