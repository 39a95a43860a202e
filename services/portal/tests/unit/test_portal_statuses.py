"""Which TrangThaiHoSo each event leaves a dossier in (the shared lifecycle table)."""

import pytest

from motcua.vocabulary import DossierStatus as S
from motcua_portal.domain import EVENT_STATUS, STEP_EVENTS, status_after


@pytest.mark.parametrize(
    ("event_type", "data", "before", "after"),
    [
        ("dossier.received", {}, S.NEWLY_REGISTERED, S.RECEIVED),
        ("dossier.refused", {"stage": "reception"}, S.NEWLY_REGISTERED, S.NOT_RECEIVED),
        ("dossier.refused", {}, S.RECEIVED, S.NOT_RECEIVED),
        ("dossier.refused", {"stage": "appraisal"}, S.PROCESSING, S.PROCESSING_FINISHED),
        ("dossier.transferred", {}, S.RECEIVED, S.PROCESSING),
        ("dossier.transferred", {}, S.PROCESSING, S.PROCESSING),
        ("dossier.supplement-requested", {}, S.PROCESSING, S.SUPPLEMENT_REQUESTED),
        ("dossier.supplement-received", {}, S.SUPPLEMENT_REQUESTED, S.PROCESSING),
        ("dossier.financial-obligation-set", {}, S.PROCESSING, S.FINANCIAL_OBLIGATION),
        ("dossier.financial-obligation-paid", {}, S.FINANCIAL_OBLIGATION, S.PROCESSING),
        ("dossier.processing-finished", {}, S.PROCESSING, S.PROCESSING_FINISHED),
        ("dossier.result-returned", {}, S.PROCESSING_FINISHED, S.RESULT_RETURNED),
        ("dossier.withdrawn", {"kind": "withdrawn"}, S.PROCESSING, S.WITHDRAWAL_REQUESTED),
        ("dossier.withdrawn", {}, S.SUPPLEMENT_REQUESTED, S.WITHDRAWAL_REQUESTED),
        ("dossier.withdrawn", {"kind": "stopped"}, S.PROCESSING, S.STOPPED),
        ("dossier.apology-filed", {}, S.PROCESSING, S.PROCESSING),
        ("dossier.apology-filed", {}, S.SUPPLEMENT_REQUESTED, S.SUPPLEMENT_REQUESTED),
    ],
)
def test_each_event_leads_to_its_status(event_type, data, before, after):
    assert status_after(event_type, data, before) is after


def test_every_step_event_has_a_status_rule_and_nothing_else_is_a_step():
    assert {event_type for event_type, _ in EVENT_STATUS} == STEP_EVENTS
    assert "dossier.satisfaction-rated" not in STEP_EVENTS
    assert not any(event_type.startswith("tracking.") for event_type in STEP_EVENTS)


def test_an_event_that_is_not_a_step_is_refused():
    with pytest.raises(KeyError):
        status_after("tracking.deadline-set", {}, S.RECEIVED)


def test_the_codes_sent_are_the_ten_portal_statuses():
    assert [int(status) for status in S] == list(range(1, 11))
