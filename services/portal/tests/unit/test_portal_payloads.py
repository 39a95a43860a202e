"""What the portal is sent: its dates, the record's empty fields, truncated notes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from portal_life import Life, at, facts

from motcua.events import DossierTransferred
from motcua_portal.domain import (
    NationalProcedure,
    digest,
    portal_date,
    progress_entries,
    rebuild,
    record,
    without_applicant,
)
from motcua_portal.domain.payloads import ERASED_HOLDER, NOTE_LIMIT

NATIONAL = NationalProcedure("1.009994", "Cấp giấy phép xây dựng", "XD", "Xây dựng")
PERSONAL_FIELDS = ("SoGiayToChuHoSo", "Email", "SoDienThoai")
DATE_FIELDS = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra")


def applicant_of(life: Life) -> dict:
    """The applicant of the dossier's `ApplicantRecorded`, as the portal service keeps it."""
    return life.recorded().data.applicant.model_dump(mode="json")  # type: ignore[attr-defined]


def test_dates_are_yyyymmddhhmmss_in_vietnam_time():
    assert portal_date(at(2, 9, 5)) == "20260302090500"
    # 20:30 UTC is 03:30 the next day in Hanoi.
    assert portal_date(datetime(2026, 3, 1, 20, 30, 15, tzinfo=UTC)) == "20260302033015"
    paris = timezone(timedelta(hours=1))
    assert portal_date(datetime(2026, 12, 31, 23, 0, tzinfo=paris)) == "20270101050000"


def test_a_missing_date_is_an_empty_string():
    assert portal_date(None) == ""


def test_a_naive_date_is_never_sent():
    with pytest.raises(ValueError, match="naive"):
        portal_date(datetime(2026, 3, 2, 9, 0))


def test_an_open_dossier_sends_empty_strings_for_what_has_not_happened(life: Life):
    history = rebuild(life.code, "STP", facts(life.received(), life.deadline_set()))

    sent = record(history, NATIONAL, applicant_of(life))

    assert sent["NgayTiepNhan"] == sent["NgayNopHoSo"] == "20260302090000"
    assert sent["NgayHenTra"] == "20260309090000"
    assert (sent["NgayKetThucXuLy"], sent["NgayTra"], sent["NgayTuChoi"]) == ("", "", "")
    assert all(isinstance(value, str) for value in sent.values() if not isinstance(value, list))
    assert (sent["MaTTHC"], sent["TrangThaiHoSo"], sent["KenhThucHien"]) == ("1.009994", "2", "1")
    assert [c["TenTepDinhKem"] for c in sent["TaiLieuNop"]] == ["Đơn đề nghị", "Bản vẽ"]


def test_the_applicant_comes_from_its_own_record_not_the_reception(life: Life):
    history = rebuild(life.code, "STP", facts(life.received(), life.deadline_set()))

    sent = record(history, NATIONAL, applicant_of(life))

    assert (sent["ChuHoSo"], sent["SoGiayToChuHoSo"]) == ("Nguyễn Văn A", "001099012345")
    assert (sent["Email"], sent["SoDienThoai"]) == ("nguyenvana@example.vn", "0912345678")
    assert sent["LoaiDoiTuong"] == "1"
    assert sent["DinhDanhCHS"] == [{"LoaiDinhDanh": "1", "SoDinhDanh": "001099012345"}]


def test_an_erased_applicant_leaves_every_personal_field_empty(life: Life):
    history = rebuild(life.code, "STP", facts(life.received(), life.deadline_set()))

    sent = record(history, NATIONAL, None)

    assert all(sent[name] == "" for name in PERSONAL_FIELDS)
    assert sent["ChuHoSo"] == ERASED_HOLDER
    assert sent["DinhDanhCHS"] == [{"LoaiDinhDanh": "1", "SoDinhDanh": ""}]
    assert (sent["MaHoSo"], sent["TrangThaiHoSo"]) == (life.code, "2")
    assert "Nguyễn" not in str(sent) and "0912345678" not in str(sent)


def test_a_record_sent_before_the_erasure_is_scrubbed_to_what_would_be_sent_now(life: Life):
    history = rebuild(life.code, "STP", facts(life.received(), life.deadline_set()))
    sent = record(history, NATIONAL, applicant_of(life))

    scrubbed = without_applicant(sent)

    assert scrubbed == record(history, NATIONAL, None)
    assert digest(scrubbed) == digest(record(history, NATIONAL, None))


def test_a_dossier_before_any_deadline_has_no_appointment(life: Life):
    sent = record(rebuild(life.code, "STP", facts(life.received())), NATIONAL, applicant_of(life))

    assert sent["NgayHenTra"] == ""
    assert all(sent[name] == "" for name in DATE_FIELDS[2:])


def test_a_long_note_is_truncated_to_the_limit_never_dropped(life: Life):
    note = "Ghi chú rất dài. " * 300
    moved = life.wrap(DossierTransferred(from_unit="MC", to_unit="PCM", note=note), at(2, 11))
    history = rebuild(life.code, "STP", facts(life.received(), moved))

    sent = record(history, NATIONAL, applicant_of(life))

    assert len(sent["GhiChu"]) == NOTE_LIMIT
    assert sent["GhiChu"].startswith("Ghi chú rất dài.") and sent["GhiChu"].endswith("…")


def test_progress_entries_carry_every_step_date(life: Life):
    history = rebuild(life.code, "STP", facts(*life.short()))

    entries = [entry for _, entry in progress_entries(history)]

    assert [e["ThoiDiemXuLy"] for e in entries] == [
        "20260302090000",
        "20260302110000",
        "20260303100000",
    ]
    assert all(e["NgayBatDau"] == e["ThoiDiemXuLy"] for e in entries)
    assert all(e["MaHoSo"] == life.code for e in entries)


def test_the_digest_changes_with_the_content_only():
    entry = {"MaHoSo": "X", "TrangThai": "4", "NgayKetThucTheoQuyDinh": "20260305150000"}

    assert digest(entry) == digest(dict(reversed(entry.items())))
    assert digest(entry) != digest(entry | {"NgayKetThucTheoQuyDinh": "20260306150000"})
