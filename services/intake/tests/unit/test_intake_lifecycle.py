from functools import reduce

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua_intake.domain.lifecycle import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    DossierStatus,
    EventKind,
    TransitionRejected,
    allowed_events,
    apply,
    is_allowed,
)

S = DossierStatus
E = EventKind


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


def test_event_kinds_use_the_agreed_strings() -> None:
    assert {kind.value for kind in EventKind} == {
        "received",
        "refused",
        "transferred",
        "supplement_requested",
        "supplement_received",
        "financial_obligation_set",
        "financial_obligation_paid",
        "processing_finished",
        "result_returned",
        "withdrawal_requested",
        "withdrawn",
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
        (S.PROCESSING, E.REFUSED, S.NOT_RECEIVED),
        (S.SUPPLEMENT_REQUESTED, E.REFUSED, S.NOT_RECEIVED),
        (S.RECEIVED, E.TRANSFERRED, S.PROCESSING),
        (S.PROCESSING, E.TRANSFERRED, S.PROCESSING),
        (S.RECEIVED, E.SUPPLEMENT_REQUESTED, S.SUPPLEMENT_REQUESTED),
        (S.PROCESSING, E.SUPPLEMENT_REQUESTED, S.SUPPLEMENT_REQUESTED),
        (S.SUPPLEMENT_REQUESTED, E.SUPPLEMENT_RECEIVED, S.PROCESSING),
        (S.PROCESSING, E.FINANCIAL_OBLIGATION_SET, S.FINANCIAL_OBLIGATION),
        (S.FINANCIAL_OBLIGATION, E.FINANCIAL_OBLIGATION_PAID, S.PROCESSING),
        (S.RECEIVED, E.PROCESSING_FINISHED, S.PROCESSING_FINISHED),
        (S.PROCESSING, E.PROCESSING_FINISHED, S.PROCESSING_FINISHED),
        (S.WITHDRAWAL_REQUESTED, E.PROCESSING_FINISHED, S.PROCESSING_FINISHED),
        (S.PROCESSING_FINISHED, E.RESULT_RETURNED, S.RESULT_RETURNED),
        (S.PROCESSING, E.WITHDRAWAL_REQUESTED, S.WITHDRAWAL_REQUESTED),
        (S.WITHDRAWAL_REQUESTED, E.WITHDRAWN, S.STOPPED),
        (S.NEWLY_REGISTERED, E.WITHDRAWN, S.STOPPED),
        (S.SUPPLEMENT_REQUESTED, E.WITHDRAWN, S.STOPPED),
        (S.FINANCIAL_OBLIGATION, E.WITHDRAWN, S.STOPPED),
        (S.PROCESSING_FINISHED, E.SATISFACTION_RATED, S.PROCESSING_FINISHED),
        (S.RESULT_RETURNED, E.SATISFACTION_RATED, S.RESULT_RETURNED),
        (S.NOT_RECEIVED, E.SATISFACTION_RATED, S.NOT_RECEIVED),
        (S.STOPPED, E.SATISFACTION_RATED, S.STOPPED),
        (S.PROCESSING, E.APOLOGY_FILED, S.PROCESSING),
        (S.SUPPLEMENT_REQUESTED, E.APOLOGY_FILED, S.SUPPLEMENT_REQUESTED),
        (S.WITHDRAWAL_REQUESTED, E.APOLOGY_FILED, S.WITHDRAWAL_REQUESTED),
    ],
)
def test_allowed_transitions(status: DossierStatus, event: EventKind, after: DossierStatus) -> None:
    assert apply(status, event) is after
    assert apply(status, event.value) is after
    assert is_allowed(status, event)
    assert event in allowed_events(status)


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
        (S.WITHDRAWAL_REQUESTED, E.WITHDRAWAL_REQUESTED),
        (S.WITHDRAWAL_REQUESTED, E.TRANSFERRED),
        (S.PROCESSING_FINISHED, E.WITHDRAWN),
        (S.PROCESSING_FINISHED, E.APOLOGY_FILED),
        (S.PROCESSING_FINISHED, E.FINANCIAL_OBLIGATION_SET),
        (S.PROCESSING_FINISHED, E.PROCESSING_FINISHED),
        (S.RESULT_RETURNED, E.RESULT_RETURNED),
        (S.NOT_RECEIVED, E.RECEIVED),
        (S.STOPPED, E.TRANSFERRED),
    ],
)
def test_rejected_transitions(status: DossierStatus, event: EventKind) -> None:
    assert not is_allowed(status, event)
    with pytest.raises(TransitionRejected) as caught:
        apply(status, event)
    rejected = caught.value
    assert rejected.code == "transition_not_allowed"
    assert (rejected.status, rejected.event) == (status, event)
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
    assert {S.NOT_RECEIVED, S.STOPPED, S.PROCESSING_FINISHED, S.RESULT_RETURNED} == CLOSED_STATUSES


@pytest.mark.parametrize("status", [S.NOT_RECEIVED, S.STOPPED, S.RESULT_RETURNED])
def test_terminal_statuses_accept_only_a_satisfaction_rating(status: DossierStatus) -> None:
    assert allowed_events(status) == {E.SATISFACTION_RATED}


@given(st.sampled_from(DossierStatus), st.sampled_from(EventKind))
def test_apply_agrees_with_is_allowed(status: DossierStatus, event: EventKind) -> None:
    if is_allowed(status, event):
        assert apply(status, event) in DossierStatus
    else:
        with pytest.raises(TransitionRejected):
            apply(status, event)


@given(st.data())
def test_every_walk_through_allowed_events_keeps_the_rules(data: st.DataObject) -> None:
    status = S.NEWLY_REGISTERED
    for _ in range(25):
        event = data.draw(st.sampled_from(sorted(allowed_events(status))))
        after = apply(status, event)
        if after is S.RESULT_RETURNED:
            assert status in {S.PROCESSING_FINISHED, S.RESULT_RETURNED}
        if status is S.PROCESSING_FINISHED:
            assert after in {S.PROCESSING_FINISHED, S.RESULT_RETURNED}
        elif status in CLOSED_STATUSES:
            assert after is status
            assert event is E.SATISFACTION_RATED
        status = after
