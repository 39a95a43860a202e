"""A dossier's history rebuilt from its events: every step in order with its statutory
end, supplements, the apology's re-appointment, fees, refusal, finish and return."""

import random
from datetime import timedelta

from portal_life import Life, at, facts

from motcua.vocabulary import DossierStatus as S
from motcua_portal.domain import NationalProcedure, portal_date, rebuild, record

NATIONAL = NationalProcedure("1.009994", "Cấp giấy phép xây dựng", "XD", "Xây dựng")
APPLICANT = {"name": "Nguyễn Văn A", "kind": "citizen", "national_id": "001099012345"}
NEW_DUE = at(10, 9)
PROMISED = at(12, 16)


def whole_life(life: Life) -> list:
    return [
        life.received(),
        life.deadline_set(),
        life.transferred(at(2, 11), "MC", "PCM"),
        *life.supplement_requested(at(3, 9)),
        *life.supplement_received(at(4, 9), NEW_DUE),
        *life.apology(at(9, 8), original=NEW_DUE, new=PROMISED),
        life.reappointed(at(9, 8), original=NEW_DUE, new=PROMISED),
        life.transferred(at(10, 15), "PCM", "LD"),
        life.finished(at(11, 10)),
        life.returned(at(11, 14)),
    ]


def ends(history) -> list[str]:
    return [portal_date(step.statutory_end) for step in history.steps]


def test_every_step_in_order_with_its_status(life: Life):
    history = rebuild(life.code, "STP", facts(*whole_life(life)))

    assert [step.event_type for step in history.steps] == [
        "dossier.received",
        "dossier.transferred",
        "dossier.supplement-requested",
        "dossier.supplement-received",
        "dossier.apology-filed",
        "dossier.transferred",
        "dossier.processing-finished",
        "dossier.result-returned",
    ]
    assert [step.status for step in history.steps] == [
        S.RECEIVED,
        S.PROCESSING,
        S.SUPPLEMENT_REQUESTED,
        S.PROCESSING,
        S.PROCESSING,
        S.PROCESSING,
        S.PROCESSING_FINISHED,
        S.RESULT_RETURNED,
    ]
    assert history.status is S.RESULT_RETURNED


def test_each_step_ends_at_its_process_steps_due_time_else_the_appointment_in_force(life: Life):
    history = rebuild(life.code, "STP", facts(*whole_life(life)))

    assert [step.step_code for step in history.steps[:2]] == ["TN", "XL"]
    assert ends(history) == [
        "20260302130000",  # reception: TN's due time
        "20260305150000",  # first handover: XL's
        "20260309090000",  # the supplement request: the appointment then
        "20260310090000",  # its arrival: the appointment the resumption gives
        "20260310090000",  # the apology: the statutory appointment, not its promise
        "20260306110000",  # second handover: KY's
        "20260310090000",
        "20260310090000",
    ]


def test_a_step_due_time_corrected_by_tracking_after_the_send_moves_the_steps_end(life: Life):
    events = [*life.short(), life.step_due_changed(at(2, 11), "XL", at(6, 15))]

    history = rebuild(life.code, "STP", facts(*events))

    assert ends(history)[1] == "20260306150000"


def test_a_handover_naming_its_step_ends_at_that_steps_due_time(life: Life):
    named = life.wrap(
        life.transferred(at(2, 11), "MC", "LD").data.model_copy(update={"step_code": "KY"}),
        at(2, 11),
    )

    history = rebuild(life.code, "STP", facts(life.received(), life.deadline_set(), named))

    assert history.steps[1].step_code == "KY"
    assert ends(history)[1] == "20260306110000"


def test_the_history_is_the_same_whatever_order_the_events_arrived_in(life: Life):
    events = whole_life(life)
    in_order = rebuild(life.code, "STP", facts(*events))
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    arrivals = [
        fact.__class__(
            fact.event_id,
            fact.event_type,
            fact.occurred_at,
            at(20, 8) + timedelta(seconds=i),
            fact.data,
        )
        for i, fact in enumerate(facts(*shuffled))
    ]

    late = rebuild(life.code, "STP", arrivals)

    assert record(late, NATIONAL, APPLICANT) == record(in_order, NATIONAL, APPLICANT)
    assert [(s.key, s.status, s.statutory_end) for s in late.steps] == [
        (s.key, s.status, s.statutory_end) for s in in_order.steps
    ]


def test_a_supplement_carries_the_appointment_before_and_after(life: Life):
    sent = record(rebuild(life.code, "STP", facts(*whole_life(life))), NATIONAL, APPLICANT)

    supplement = sent["DanhSachHoSoBoSung"][0]
    assert (supplement["NgayBoSung"], supplement["NgayTiepNhanBoSung"]) == (
        "20260303090000",
        "20260304090000",
    )
    assert (supplement["NgayHenTraTruoc"], supplement["NgayHenTraMoi"]) == (
        "20260309090000",
        "20260310090000",
    )
    assert supplement["TrangThaiBoSung"] == "1"
    assert "thiếu bản vẽ" in supplement["NoiDungBoSung"]


def test_a_pending_supplement_has_no_arrival_and_no_new_appointment(life: Life):
    events = [life.received(), life.deadline_set(), *life.supplement_requested(at(3, 9))]

    history = rebuild(life.code, "STP", facts(*events))
    supplement = record(history, NATIONAL, APPLICANT)["DanhSachHoSoBoSung"][0]

    assert history.status is S.SUPPLEMENT_REQUESTED
    assert (supplement["NgayTiepNhanBoSung"], supplement["NgayHenTraMoi"]) == ("", "")
    assert supplement["NgayHenTraTruoc"] == "20260309090000"
    assert supplement["TrangThaiBoSung"] == "0"


def test_the_apology_is_a_re_appointment_and_the_statutory_appointment_stands(life: Life):
    sent = record(rebuild(life.code, "STP", facts(*whole_life(life))), NATIONAL, APPLICANT)

    reappointment = sent["DanhSachHoSoBoSung"][1]
    assert (reappointment["NgayHenTraTruoc"], reappointment["NgayHenTraMoi"]) == (
        "20260310090000",
        "20260312160000",
    )
    assert reappointment["NgayBoSung"] == "20260309080000"
    assert sent["NgayHenTra"] == "20260310090000"


def test_fees_set_and_paid_online(life: Life):
    events = [
        *life.short(),
        life.fee_set(at(4, 9), 750_000),
        life.fee_paid(at(4, 15), "online", 750_000),
    ]

    history = rebuild(life.code, "STP", facts(*events))
    sent = record(history, NATIONAL, APPLICANT)

    assert [step.status for step in history.steps[-2:]] == [
        S.FINANCIAL_OBLIGATION,
        S.PROCESSING,
    ]
    (fee,) = sent["DanhSachLePhi"]
    assert (fee["TenPhiLePhi"], fee["Gia"], fee["HinhThucThu"]) == ("Lệ phí", "750000", "2")
    assert sent["DuocThanhToanTrucTuyen"] == "1"


def test_an_unpaid_fee_is_status_6_and_not_paid_online(life: Life):
    history = rebuild(life.code, "STP", facts(*life.short(), life.fee_set(at(4, 9))))
    sent = record(history, NATIONAL, APPLICANT)

    assert sent["TrangThaiHoSo"] == "6"
    assert sent["DanhSachLePhi"][0]["HinhThucThu"] == "0"
    assert sent["DuocThanhToanTrucTuyen"] == "0"


def test_a_refusal_at_reception(life: Life):
    history = rebuild(life.code, "STP", facts(life.received(), life.refused(at(2, 10))))
    sent = record(history, NATIONAL, APPLICANT)

    assert history.steps[-1].status is S.NOT_RECEIVED
    assert (sent["TrangThaiHoSo"], sent["NgayTuChoi"]) == ("3", "20260302100000")
    assert "Không thuộc thẩm quyền" in history.steps[-1].content
    assert "Không thuộc thẩm quyền" in sent["GhiChu"]


def test_a_refusal_after_appraisal_is_a_finished_result(life: Life):
    history = rebuild(life.code, "STP", facts(*life.short(), life.refused(at(4, 9), "appraisal")))

    assert history.status is S.PROCESSING_FINISHED


def test_withdrawal_is_7_and_a_stop_8(life: Life):
    withdrawn = rebuild(life.code, "STP", facts(*life.short(), life.withdrawn(at(4, 9))))
    stopped = rebuild(life.code, "STP", facts(*life.short(), life.withdrawn(at(4, 9), "stopped")))

    assert withdrawn.status is S.WITHDRAWAL_REQUESTED
    assert stopped.status is S.STOPPED
    assert stopped.steps[-1].content.startswith("Dừng xử lý")


def test_finish_and_return_by_post(life: Life):
    returned = life.returned(at(6, 14))
    returned = life.wrap(returned.data.model_copy(update={"method": "postal"}), at(6, 14))

    history = rebuild(life.code, "STP", facts(*life.short(), life.finished(at(6, 10)), returned))
    sent = record(history, NATIONAL, APPLICANT)

    assert (sent["NgayKetThucXuLy"], sent["NgayTra"]) == ("20260306100000", "20260306140000")
    assert (sent["TrangThaiHoSo"], sent["HinhThuc"], sent["DonViXuLy"]) == ("10", "1", "LD")


def test_without_the_reception_the_dossier_is_not_ready(life: Life):
    history = rebuild(life.code, "STP", facts(life.deadline_set(), life.finished(at(6, 10))))

    assert not history.ready
