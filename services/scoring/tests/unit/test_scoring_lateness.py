"""Truthful lateness: paused clocks, the statutory appointment, late with and without an
apology, re-appointments kept and broken, corrections, alerts and their withdrawals;
and the one rule the overdue count and the open-dossier list share."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scoring_scenario import NOW, local, stp

from motcua.events import (
    AlertWithdrawn as AlertWithdrawnEvent,
)
from motcua.events import (
    ApologyIssued as ApologyIssuedEvent,
)
from motcua.events import (
    DeadlineChanged,
    DossierOverdue,
    DossierVerdictGiven,
    Envelope,
    Event,
)
from motcua.testing.catalogue import procedures_named
from motcua.verdicts import Standing, standing
from motcua.vocabulary import ApologyStanding
from motcua_scoring.adapters.facts_json import facts_from_json, facts_to_json
from motcua_scoring.domain import (
    AlertFired,
    AlertKind,
    AlertWithdrawn,
    ApologyIssued,
    Channel,
    DeadlineSet,
    DossierFacts,
    FactUpdate,
    Indicators,
    ProcessingFinished,
    Reappointed,
    Received,
    Scope,
    ScopeKind,
    Verdict,
    VerdictGiven,
    apply_all,
    count,
    evaluate,
    rates,
    tally,
)
from motcua_scoring.domain.periods import month_period
from motcua_scoring.service.translation import translate

STP = Scope(ScopeKind.AGENCY, "STP")
NOVEMBER = month_period(2026, 11)


def november(*dossiers: list[FactUpdate]) -> Indicators:
    """STP in November as of NOW, after checking the counter table agrees."""
    facts = [apply_all(DossierFacts(f"D{n}"), updates) for n, updates in enumerate(dossiers)]
    reference = count(facts, STP, NOVEMBER, NOW)
    assert evaluate(tally(facts), STP, NOVEMBER, NOW) == reference
    return reference


def received(month: int = 11, day: int = 10) -> Received:
    return Received(local(month, day), stp(Channel.COUNTER))


def late_verdict(**kwargs) -> list[FactUpdate]:
    return [
        ProcessingFinished(local(11, 16)),
        VerdictGiven(local(11, 16, 18), Verdict.LATE, Decimal(6), **kwargs),
    ]


# Paused clocks and the statutory appointment ------------------------------------------


def test_a_paused_open_dossier_is_within_deadline() -> None:
    ind = november(
        [
            received(),
            DeadlineSet(local(11, 10), local(11, 13, 17)),
            DeadlineSet(local(11, 12), None),  # supplement requested: the clock is paused
        ]
    )
    assert (ind.in_progress_within, ind.in_progress_overdue) == (1, 0)


def test_resumption_gives_the_new_due_time() -> None:
    paused = [
        received(),
        DeadlineSet(local(11, 10), local(11, 13, 17)),
        DeadlineSet(local(11, 12), None),
    ]
    still_due = november([*paused, DeadlineSet(local(11, 18), local(11, 24, 17))])
    passed = november([*paused, DeadlineSet(local(11, 14), local(11, 18, 17))])

    assert (still_due.in_progress_within, still_due.in_progress_overdue) == (1, 0)
    assert (passed.in_progress_within, passed.in_progress_overdue) == (0, 1)


def test_an_apology_does_not_move_the_deadline_open_dossiers_are_judged_by() -> None:
    ind = november(
        [
            received(),
            DeadlineSet(local(11, 10), local(11, 12, 17)),
            ApologyIssued(local(11, 11), late=False),
            Reappointed(local(11, 11), local(11, 25, 17)),
        ]
    )
    assert (ind.in_progress_within, ind.in_progress_overdue) == (0, 1)
    assert ind.apologies == 1


# Late with and without an apology; re-appointments -----------------------------------


@pytest.mark.parametrize(
    ("standing", "known_apology", "with_apology"),
    [
        (ApologyStanding.IN_TIME, True, True),
        (ApologyStanding.LATE, True, True),
        (ApologyStanding.MISSING, False, False),
        (ApologyStanding.MISSING, True, False),  # the verdict's finding decides
        (ApologyStanding.NOT_NEEDED, True, True),  # a verdict from before the field
        (ApologyStanding.NOT_NEEDED, False, False),
    ],
)
def test_late_dossiers_are_counted_with_or_without_an_apology(
    standing: ApologyStanding, known_apology: bool, with_apology: bool
) -> None:
    apology = [ApologyIssued(local(11, 12), late=False)] if known_apology else []
    ind = november(
        [
            received(),
            DeadlineSet(local(11, 10), local(11, 13, 17)),
            *apology,
            *late_verdict(apology=standing),
        ]
    )
    assert (ind.resolved_late, ind.resolved_on_time, ind.resolved_early) == (1, 0, 0)
    assert ind.resolved_late_with_apology == int(with_apology)
    assert ind.resolved_late_without_apology == int(not with_apology)


def test_an_apology_on_a_dossier_finished_in_time_is_not_counted_late() -> None:
    ind = november(
        [
            received(),
            ApologyIssued(local(11, 12)),
            ProcessingFinished(local(11, 13)),
            VerdictGiven(local(11, 13, 18), Verdict.ON_TIME, Decimal(3), ApologyStanding.IN_TIME),
        ]
    )
    assert (ind.resolved_on_time, ind.resolved_late_with_apology) == (1, 0)
    assert ind.resolved_late_without_apology == 0


def test_re_appointments_are_counted_kept_or_broken() -> None:
    kept = [received(), *late_verdict(apology=ApologyStanding.IN_TIME, reappointment_kept=True)]
    broken = [received(), *late_verdict(apology=ApologyStanding.LATE, reappointment_kept=False)]
    never = [received(), *late_verdict(apology=ApologyStanding.MISSING)]

    ind = november(kept, broken, broken, never)

    assert (ind.reappointments_kept, ind.reappointments_broken) == (1, 2)
    assert (ind.resolved_late_with_apology, ind.resolved_late_without_apology) == (3, 1)
    assert rates(ind).reappointment_kept == pytest.approx(1 / 3)
    assert rates(ind).late_with_apology == pytest.approx(3 / 4)


# Corrections --------------------------------------------------------------------------


def test_a_verdict_correction_with_a_higher_revision_replaces_the_first() -> None:
    first = VerdictGiven(local(11, 16, 18), Verdict.LATE, Decimal(6), ApologyStanding.MISSING)
    correction = VerdictGiven(
        local(11, 16, 10), Verdict.ON_TIME, Decimal(3), ApologyStanding.NOT_NEEDED, revision=1
    )
    for order in ([first, correction], [correction, first]):
        ind = november([received(), ProcessingFinished(local(11, 16)), *order])
        assert (ind.resolved_late, ind.resolved_on_time) == (0, 1)
        assert ind.resolved_late_without_apology == 0
        assert ind.processing_millidays == 3000


def test_a_corrected_deadline_with_a_higher_revision_wins_over_later_changes() -> None:
    updates: list[FactUpdate] = [
        received(),
        DeadlineSet(local(11, 10), local(11, 13, 17)),
        DeadlineSet(local(11, 14), local(11, 18, 17)),
        DeadlineSet(local(11, 11), local(11, 26, 17), revision=1),  # a late supplement
    ]
    ind = november(updates)
    facts = apply_all(DossierFacts("D"), reversed(updates))

    assert (ind.in_progress_within, ind.in_progress_overdue) == (1, 0)
    assert facts.due_at == local(11, 26, 17)


# Alerts -------------------------------------------------------------------------------


def test_overdue_alerts_and_their_withdrawals_are_counted_and_cleared() -> None:
    fired = AlertFired(local(11, 13, 17), "e1", AlertKind.OVERDUE, local(11, 13, 17))
    step = AlertFired(local(11, 12, 17), "e2", AlertKind.OVERDUE, local(11, 12, 17), False)
    soon = AlertFired(local(11, 12, 8), "e3", AlertKind.DUE_SOON, local(11, 13, 17))
    withdrawn = AlertWithdrawn(local(11, 14), "e1", AlertKind.OVERDUE)
    before = [received(), DeadlineSet(local(11, 10), local(11, 13, 17)), fired, step, soon]

    ind = november([*before, withdrawn])
    facts = apply_all(DossierFacts("D"), before)
    cleared = apply_all(facts, [withdrawn])

    assert (ind.overdue_alerts, ind.overdue_alerts_withdrawn) == (2, 1)
    assert facts.active_alert(AlertKind.OVERDUE) == local(11, 13, 17)
    assert cleared.active_alert(AlertKind.OVERDUE) is None
    assert cleared.active_alert(AlertKind.DUE_SOON) == local(11, 13, 17)
    assert facts_from_json(facts_to_json(cleared)) == cleared


# One rule for the overdue count and the list ------------------------------------------


def test_the_list_state_follows_the_rule_of_the_in_progress_numbers() -> None:
    now = local(11, 21, 10)
    assert standing(local(11, 20, 17), now, warned=False) is Standing.OVERDUE
    assert standing(local(11, 21, 8), now, warned=False) is Standing.DUE_SOON
    assert standing(local(11, 21, 8), now, warned=True) is Standing.DUE_SOON
    assert standing(local(11, 24, 17), now, warned=True) is Standing.DUE_SOON
    assert standing(local(11, 24, 17), now, warned=False) is Standing.WITHIN_DEADLINE
    assert standing(None, now, warned=False) is Standing.WITHIN_DEADLINE
    # due at 08:00 today, now 10:00: past its hour, still within deadline in the count
    ind = november([received(), DeadlineSet(local(11, 10), local(11, 21, 8))])
    assert (ind.in_progress_within, ind.in_progress_overdue) == (1, 0)


def test_facts_stored_before_revisions_and_alerts_still_read() -> None:
    stored = {
        "code": "D",
        "deadline": {"at": "2026-11-10T02:00:00+00:00", "due_at": "2026-11-13T10:00:00+00:00"},
        "judgement": {"at": "2026-11-16T11:00:00+00:00", "verdict": "late", "processing_days": "6"},
    }
    facts = facts_from_json(stored)
    assert facts.deadline == DeadlineSet(local(11, 10), local(11, 13, 17))
    assert facts.judgement == VerdictGiven(local(11, 16, 18), Verdict.LATE, Decimal(6))


# From the event contract ----------------------------------------------------------------


def wrap(data: Event) -> Envelope:
    at = local(11, 12)
    return Envelope.wrap(
        data, producer="tracking", occurred_at=at, now=at, dossier_code="D", agency_code="STP"
    )


def updates_of(data: Event) -> tuple[FactUpdate, ...]:
    envelope = wrap(data)
    translated = translate(envelope, procedures_named([envelope]))
    return translated.updates if translated else ()


def test_a_pause_is_a_deadline_without_due_time_and_an_apology_a_promise() -> None:
    pause = DeadlineChanged(
        old_due_at=local(11, 13, 17), new_due_at=None, cause="supplement_paused", revision=2
    )
    promise = DeadlineChanged(
        old_due_at=local(11, 13, 17), new_due_at=local(11, 20, 17), cause="apology"
    )
    apology = ApologyIssuedEvent(
        unit_code="A",
        reason="quá tải",
        original_due_at=local(11, 13, 17),
        new_appointment_at=local(11, 20, 17),
        filed_at=local(11, 12),
    )

    assert updates_of(pause) == (DeadlineSet(local(11, 12), None, 2),)
    assert updates_of(promise) == (Reappointed(local(11, 12), local(11, 20, 17)),)
    assert updates_of(apology) == (
        ApologyIssued(local(11, 12)),
        Reappointed(local(11, 12), local(11, 20, 17)),
    )


def test_verdicts_alerts_and_withdrawals_carry_what_tracking_found() -> None:
    verdict = DossierVerdictGiven(
        verdict=Verdict.LATE,
        ended_by="processing_finished",
        finished_at=local(11, 12),
        due_at=local(11, 11, 17),
        processing_working_days=4.5,
        apology=ApologyStanding.LATE,
        reappointed_to=local(11, 14, 17),
        reappointment_kept=True,
        revision=1,
    )
    overdue = wrap(DossierOverdue(unit_code="A", due_at=local(11, 11, 17)))
    withdrawn = AlertWithdrawnEvent(
        alert_event_id=str(overdue.event_id),
        alert_type="tracking.overdue",
        unit_code="A",
        due_at=local(11, 11, 17),
        reason="ended_before_due",
    )

    assert updates_of(verdict) == (
        VerdictGiven(local(11, 12), Verdict.LATE, Decimal("4.5"), ApologyStanding.LATE, True, 1),
    )
    fired = translate(overdue, procedures_named([overdue]))
    assert fired is not None and fired.updates == (
        AlertFired(local(11, 12), str(overdue.event_id), AlertKind.OVERDUE, local(11, 11, 17)),
    )
    assert updates_of(withdrawn) == (
        AlertWithdrawn(local(11, 12), str(overdue.event_id), AlertKind.OVERDUE),
    )
