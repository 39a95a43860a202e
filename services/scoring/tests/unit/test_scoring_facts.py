from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from scoring_scenario import UPDATES, dossiers, local, stp

from motcua_scoring.domain.facts import (
    Channel,
    DeadlineSet,
    DossierFacts,
    ProcessingFinished,
    Rated,
    Received,
    Refused,
    ResultReturned,
    Transferred,
    Verdict,
    VerdictGiven,
    Withdrawn,
    apply,
    apply_all,
)


@pytest.mark.parametrize("code", sorted(UPDATES))
def test_applying_every_update_twice_changes_nothing(code: str) -> None:
    once = apply_all(DossierFacts(code), UPDATES[code])

    for update in UPDATES[code]:
        assert apply(once, update) == once
    assert apply_all(once, UPDATES[code]) == once


@pytest.mark.parametrize("code", sorted(UPDATES))
def test_reversed_updates_give_the_same_facts(code: str) -> None:
    assert apply_all(DossierFacts(code), reversed(UPDATES[code])) == apply_all(
        DossierFacts(code), UPDATES[code]
    )


def test_scenario_facts_read_back() -> None:
    d1, _, d3, d4, d5, d6, d7, _, _ = dossiers()

    assert (d1.agency, d1.unit, d1.channel, d1.verdict) == ("STP", "A", "counter", Verdict.EARLY)
    assert d1.end_at == local(11, 3, 10)
    assert d3.has_obligation and d3.paid_online and d3.digitised
    assert d3.satisfaction_score == 5
    assert (d4.supplement_count, d4.apology_issued, d4.apology_late) == (1, True, True)
    assert d5.unit == "B" and d5.has_obligation and not d5.paid_online
    assert d6.received_at is None and d6.agency == "STP"
    assert d7.end_at == local(11, 5)


def test_end_follows_the_decision_766_order() -> None:
    facts = apply_all(
        DossierFacts("X"),
        [Withdrawn(local(11, 2)), ResultReturned(local(11, 4)), Refused(local(11, 1))],
    )
    assert facts.end_at == local(11, 4)
    assert apply(facts, ProcessingFinished(local(11, 5))).end_at == local(11, 5)
    assert apply_all(
        DossierFacts("Y"), [Withdrawn(local(11, 2)), Refused(local(11, 1))]
    ).end_at == (local(11, 1))


def test_conflicting_reports_resolve_the_same_way_in_any_order() -> None:
    updates = [
        Received(local(11, 2), stp(Channel.COUNTER)),
        Received(local(11, 1), stp(Channel.POSTAL), digitised=True),
        DeadlineSet(local(11, 1), local(11, 9)),
        DeadlineSet(local(11, 3), local(11, 12)),
        Transferred(local(11, 3), to_unit="B"),
        Transferred(local(11, 4), to_unit="C", to_agency="SXD"),
        VerdictGiven(local(11, 5), Verdict.LATE, Decimal("2")),
        VerdictGiven(local(11, 6), Verdict.ON_TIME, Decimal("1.5")),
        Rated(local(11, 7), score=5),
        Rated(local(11, 8), score=1, complaint=True),
        Rated(local(11, 9), complaint=True),
    ]
    forward = apply_all(DossierFacts("X"), updates)

    assert apply_all(DossierFacts("X"), reversed(updates)) == forward
    assert (forward.received_at, forward.channel, forward.digitised) == (
        local(11, 1),
        Channel.POSTAL,
        True,
    )
    assert forward.due_at == local(11, 12)
    assert (forward.agency, forward.unit) == ("SXD", "C")
    assert (forward.verdict, forward.processing_days) == (Verdict.ON_TIME, Decimal("1.500"))
    assert (forward.satisfaction_score, forward.complained_at) == (1, local(11, 8))
    assert forward.disliked_at == local(11, 8)


def test_the_same_instant_in_another_zone_is_the_same_fact() -> None:
    in_utc = local(11, 3).astimezone(UTC)
    facts = apply(DossierFacts("X"), ProcessingFinished(local(11, 3)))

    assert apply(facts, ProcessingFinished(in_utc)) == facts


def test_processing_days_are_kept_to_a_thousandth() -> None:
    given = VerdictGiven(local(11, 3), Verdict.EARLY, Decimal("1.23456"))

    assert given.processing_days == Decimal("1.235")


@pytest.mark.parametrize(
    "build",
    [
        lambda: ProcessingFinished(datetime(2026, 11, 3)),
        lambda: DeadlineSet(local(11, 3), datetime(2026, 11, 3)),
        lambda: Rated(local(11, 3)),
        lambda: Rated(local(11, 3), score=6),
        lambda: VerdictGiven(local(11, 3), Verdict.EARLY, Decimal("-1")),
    ],
)
def test_invalid_updates_are_rejected(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()
