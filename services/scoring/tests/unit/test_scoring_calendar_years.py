"""A dossier received outside the working calendar's years is counted nowhere: tracking
cannot track it, so scoring does not count it received and never resolved."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from motcua.calendar_years import COVERED_YEARS
from motcua.events import (
    Envelope,
    Event,
    ProcedureTerms,
    ProcessingFinished,
    ProcessingTime,
)
from motcua.testing import catalogue
from motcua.testing.catalogue import procedures_named
from motcua.verdicts import VIETNAM
from motcua_scoring.domain import DossierFacts, Scope, ScopeKind, apply_all, count
from motcua_scoring.domain.periods import month_period
from motcua_scoring.service.translation import OUTSIDE_CALENDAR, translate

STP = Scope(ScopeKind.AGENCY, "STP")


def wrap(data: Event, at: datetime) -> Envelope:
    return Envelope.wrap(
        data, producer="intake", occurred_at=at, now=at, dossier_code="STP-1", agency_code="STP"
    )


def reception(at: datetime) -> Envelope:
    terms = ProcedureTerms(
        code="P",
        name="P",
        field="civil",
        processing_time=ProcessingTime(unit="working_days", amount=Decimal(3)),
    )
    return wrap(catalogue.reception(terms, unit_code="A", channel="counter"), at)


def finish(at: datetime) -> Envelope:
    return wrap(ProcessingFinished(outcome="approved", unit_code="A"), at)


def facts_of(*envelopes: Envelope) -> tuple[DossierFacts, list[str]]:
    facts, anomalies = DossierFacts("STP-1"), []
    for envelope in envelopes:
        translated = translate(envelope, procedures_named([envelope]))
        assert translated is not None
        anomalies.extend(translated.anomalies)
        facts = apply_all(facts, translated.updates)
    return facts, anomalies


def test_a_reception_before_the_covered_years_counts_nowhere() -> None:
    at = datetime(2014, 12, 30, 9, tzinfo=VIETNAM)
    assert not COVERED_YEARS.covers(at)
    facts, anomalies = facts_of(reception(at), finish(datetime(2015, 1, 5, 9, tzinfo=VIETNAM)))
    assert anomalies == [OUTSIDE_CALENDAR]
    assert facts.identity is None
    for month in (month_period(2014, 12), month_period(2015, 1)):
        figures = count([facts], STP, month, datetime(2026, 3, 1, tzinfo=VIETNAM))
        assert (figures.received, figures.finished, figures.in_progress_within) == (0, 0, 0)


def test_a_2019_reception_is_counted_received_and_finished() -> None:
    facts, anomalies = facts_of(
        reception(datetime(2019, 1, 29, 9, tzinfo=VIETNAM)),
        finish(datetime(2019, 1, 31, 9, tzinfo=VIETNAM)),
    )
    assert anomalies == []
    figures = count([facts], STP, month_period(2019, 1), datetime(2026, 3, 1, tzinfo=VIETNAM))
    assert (figures.received, figures.finished) == (1, 1)
