from functools import reduce

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.lifecycle import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    RULES,
    TRANSITIONS,
    LifecycleStep,
    TransitionRejected,
    allowed_steps,
    apply,
    is_allowed,
    status_after,
    step_of,
)
from motcua.vocabulary import DossierStatus

S = DossierStatus
E = LifecycleStep


def test_the_ten_dvcqg_status_codes() -> None:
    assert [(status.value, status.label_vi) for status in DossierStatus] == [
        (1, "Mới đăng ký"),
        (2, "Được tiếp nhận"),
        (3, "Không được tiếp nhận"),
        (4, "Đang xử lý"),
        (5, "Yêu cầu bổ sung giấy tờ"),
        (6, "Yêu cầu thực hiện nghĩa vụ tài chính"),
        (7, "Công dân yêu cầu rút hồ sơ"),
        (8, "Dừng xử lý"),
        (9, "Đã xử lý xong"),
        (10, "Đã trả kết quả"),
    ]
    assert S.RESULT_RETURNED.label_en == "result returned"


def test_steps_use_the_agreed_strings() -> None:
    assert {step.value for step in LifecycleStep} == {
        "received",
        "refused",
        "refused_after_appraisal",
        "transferred",
        "supplement_requested",
        "supplement_received",
        "financial_obligation_set",
        "financial_obligation_paid",
        "processing_finished",
        "result_returned",
        "withdrawn",
        "stopped",
        "satisfaction_rated",
        "apology_filed",
    }


def run(*events: str, start: DossierStatus = S.NEWLY_REGISTERED) -> DossierStatus:
    return reduce(apply, events, start)


def test_a_dossier_goes_from_registration_to_result() -> None:
    assert (
        run(
            "received",
            "transferred",
            "transferred",
            "supplement_requested",
            "supplement_received",
            "financial_obligation_set",
            "financial_obligation_paid",
            "apology_filed",
            "processing_finished",
            "result_returned",
            "satisfaction_rated",
        )
        == S.RESULT_RETURNED
    )


@pytest.mark.parametrize(
    ("status", "event", "after"),
    [
        (S.NEWLY_REGISTERED, E.RECEIVED, S.RECEIVED),
        (S.NEWLY_REGISTERED, E.REFUSED, S.NOT_RECEIVED),
        (S.RECEIVED, E.REFUSED, S.NOT_RECEIVED),
        (S.RECEIVED, E.REFUSED_AFTER_APPRAISAL, S.PROCESSING_FINISHED),
        (S.PROCESSING, E.REFUSED_AFTER_APPRAISAL, S.PROCESSING_FINISHED),
        (S.SUPPLEMENT_REQUESTED, E.REFUSED_AFTER_APPRAISAL, S.PROCESSING_FINISHED),
        (S.RECEIVED, E.TRANSFERRED, S.PROCESSING),
        (S.PROCESSING, E.TRANSFERRED, S.PROCESSING),
        (S.RECEIVED, E.SUPPLEMENT_REQUESTED, S.SUPPLEMENT_REQUESTED),
        (S.PROCESSING, E.SUPPLEMENT_REQUESTED, S.SUPPLEMENT_REQUESTED),
        (S.SUPPLEMENT_REQUESTED, E.SUPPLEMENT_RECEIVED, S.PROCESSING),
        (S.PROCESSING, E.FINANCIAL_OBLIGATION_SET, S.FINANCIAL_OBLIGATION),
        (S.FINANCIAL_OBLIGATION, E.FINANCIAL_OBLIGATION_PAID, S.PROCESSING),
        (S.RECEIVED, E.PROCESSING_FINISHED, S.PROCESSING_FINISHED),
        (S.PROCESSING, E.PROCESSING_FINISHED, S.PROCESSING_FINISHED),
        (S.PROCESSING_FINISHED, E.RESULT_RETURNED, S.RESULT_RETURNED),
        (S.PROCESSING, E.WITHDRAWN, S.WITHDRAWAL_REQUESTED),
        (S.NEWLY_REGISTERED, E.WITHDRAWN, S.WITHDRAWAL_REQUESTED),
        (S.SUPPLEMENT_REQUESTED, E.WITHDRAWN, S.WITHDRAWAL_REQUESTED),
        (S.FINANCIAL_OBLIGATION, E.WITHDRAWN, S.WITHDRAWAL_REQUESTED),
        (S.RECEIVED, E.STOPPED, S.STOPPED),
        (S.PROCESSING, E.STOPPED, S.STOPPED),
        (S.SUPPLEMENT_REQUESTED, E.STOPPED, S.STOPPED),
        (S.FINANCIAL_OBLIGATION, E.STOPPED, S.STOPPED),
        (S.PROCESSING_FINISHED, E.SATISFACTION_RATED, S.PROCESSING_FINISHED),
        (S.RESULT_RETURNED, E.SATISFACTION_RATED, S.RESULT_RETURNED),
        (S.NOT_RECEIVED, E.SATISFACTION_RATED, S.NOT_RECEIVED),
        (S.WITHDRAWAL_REQUESTED, E.SATISFACTION_RATED, S.WITHDRAWAL_REQUESTED),
        (S.STOPPED, E.SATISFACTION_RATED, S.STOPPED),
        (S.PROCESSING, E.APOLOGY_FILED, S.PROCESSING),
        (S.SUPPLEMENT_REQUESTED, E.APOLOGY_FILED, S.SUPPLEMENT_REQUESTED),
        (S.FINANCIAL_OBLIGATION, E.APOLOGY_FILED, S.FINANCIAL_OBLIGATION),
    ],
)
def test_allowed_transitions(
    status: DossierStatus, event: LifecycleStep, after: DossierStatus
) -> None:
    assert apply(status, event) is after
    assert apply(status, event.value) is after
    assert status_after(status, event) is after
    assert TRANSITIONS[(status, event)] is after
    assert is_allowed(status, event)
    assert event in allowed_steps(status)


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (S.NEWLY_REGISTERED, E.TRANSFERRED),
        (S.NEWLY_REGISTERED, E.SUPPLEMENT_REQUESTED),
        (S.NEWLY_REGISTERED, E.PROCESSING_FINISHED),
        (S.NEWLY_REGISTERED, E.APOLOGY_FILED),
        (S.NEWLY_REGISTERED, E.SATISFACTION_RATED),
        (S.RECEIVED, E.RECEIVED),
        (S.RECEIVED, E.RESULT_RETURNED),
        (S.PROCESSING, E.RESULT_RETURNED),
        (S.PROCESSING, E.SUPPLEMENT_RECEIVED),
        (S.PROCESSING, E.FINANCIAL_OBLIGATION_PAID),
        (S.SUPPLEMENT_REQUESTED, E.PROCESSING_FINISHED),
        (S.SUPPLEMENT_REQUESTED, E.SUPPLEMENT_REQUESTED),
        (S.FINANCIAL_OBLIGATION, E.PROCESSING_FINISHED),
        (S.FINANCIAL_OBLIGATION, E.SUPPLEMENT_RECEIVED),
        (S.PROCESSING, E.REFUSED),
        (S.SUPPLEMENT_REQUESTED, E.REFUSED),
        (S.NEWLY_REGISTERED, E.REFUSED_AFTER_APPRAISAL),
        (S.WITHDRAWAL_REQUESTED, E.PROCESSING_FINISHED),
        (S.WITHDRAWAL_REQUESTED, E.TRANSFERRED),
        (S.WITHDRAWAL_REQUESTED, E.APOLOGY_FILED),
        (S.WITHDRAWAL_REQUESTED, E.STOPPED),
        (S.STOPPED, E.WITHDRAWN),
        (S.PROCESSING_FINISHED, E.WITHDRAWN),
        (S.PROCESSING_FINISHED, E.STOPPED),
        (S.PROCESSING_FINISHED, E.REFUSED_AFTER_APPRAISAL),
        (S.PROCESSING_FINISHED, E.APOLOGY_FILED),
        (S.PROCESSING_FINISHED, E.FINANCIAL_OBLIGATION_SET),
        (S.PROCESSING_FINISHED, E.PROCESSING_FINISHED),
        (S.RESULT_RETURNED, E.RESULT_RETURNED),
        (S.NOT_RECEIVED, E.RECEIVED),
        (S.STOPPED, E.TRANSFERRED),
    ],
)
def test_rejected_transitions(status: DossierStatus, event: LifecycleStep) -> None:
    assert not is_allowed(status, event)
    with pytest.raises(TransitionRejected) as caught:
        apply(status, event)
    rejected = caught.value
    assert rejected.code == "transition_not_allowed"
    assert (rejected.status, rejected.step) == (status, event)
    assert event.value in rejected.message_en
    assert status.label_vi in rejected.message_vi
    assert str(rejected) == f"{rejected.message_vi} / {rejected.message_en}"


def test_the_rejection_message_is_bilingual() -> None:
    with pytest.raises(TransitionRejected) as caught:
        apply(S.PROCESSING, "result_returned")
    assert str(caught.value) == (
        "Không thể ghi nhận sự kiện 'result_returned' khi hồ sơ đang ở trạng thái 4 "
        "(Đang xử lý) / event 'result_returned' is not allowed in status 4 (processing)"
    )


def test_an_unknown_event_kind_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="stamped"):
        apply(S.PROCESSING, "stamped")


def test_open_and_closed_statuses_partition_the_ten() -> None:
    assert set(DossierStatus) == OPEN_STATUSES | CLOSED_STATUSES
    assert not OPEN_STATUSES & CLOSED_STATUSES
    assert {
        S.NOT_RECEIVED,
        S.WITHDRAWAL_REQUESTED,
        S.STOPPED,
        S.PROCESSING_FINISHED,
        S.RESULT_RETURNED,
    } == CLOSED_STATUSES


@pytest.mark.parametrize(
    "status", [S.NOT_RECEIVED, S.WITHDRAWAL_REQUESTED, S.STOPPED, S.RESULT_RETURNED]
)
def test_terminal_statuses_accept_only_a_satisfaction_rating(status: DossierStatus) -> None:
    assert allowed_steps(status) == {E.SATISFACTION_RATED}


def test_every_step_has_a_rule_and_every_status_but_newly_registered_is_reached() -> None:
    assert set(RULES) == set(LifecycleStep)
    reached = {after for after in TRANSITIONS.values()}
    assert reached == set(DossierStatus) - {S.NEWLY_REGISTERED}


@pytest.mark.parametrize(
    ("event_type", "variant", "step"),
    [
        ("dossier.withdrawn", "withdrawn", E.WITHDRAWN),
        ("dossier.withdrawn", "stopped", E.STOPPED),
        ("dossier.refused", "reception", E.REFUSED),
        ("dossier.refused", "appraisal", E.REFUSED_AFTER_APPRAISAL),
        ("dossier.processing-finished", None, E.PROCESSING_FINISHED),
    ],
)
def test_the_step_of_an_event_type_and_its_variant(
    event_type: str, variant: str | None, step: LifecycleStep
) -> None:
    assert step_of(event_type, variant) is step


@pytest.mark.parametrize(
    ("event_type", "variant"),
    [("dossier.withdrawn", None), ("dossier.transferred", "x"), ("tracking.deadline-set", None)],
)
def test_an_event_without_a_step_is_a_key_error(event_type: str, variant: str | None) -> None:
    with pytest.raises(KeyError, match=event_type):
        step_of(event_type, variant)


@given(st.sampled_from(DossierStatus), st.sampled_from(LifecycleStep))
def test_apply_agrees_with_is_allowed(status: DossierStatus, event: LifecycleStep) -> None:
    if is_allowed(status, event):
        assert apply(status, event) in DossierStatus
    else:
        with pytest.raises(TransitionRejected):
            apply(status, event)


@given(st.data())
def test_every_walk_through_allowed_events_keeps_the_rules(data: st.DataObject) -> None:
    status = S.NEWLY_REGISTERED
    for _ in range(25):
        event = data.draw(st.sampled_from(sorted(allowed_steps(status))))
        after = apply(status, event)
        if after is S.RESULT_RETURNED:
            assert status in {S.PROCESSING_FINISHED, S.RESULT_RETURNED}
        if status is S.PROCESSING_FINISHED:
            assert after in {S.PROCESSING_FINISHED, S.RESULT_RETURNED}
        elif status in CLOSED_STATUSES:
            assert after is status
            assert event is E.SATISFACTION_RATED
        status = after
