"""The portal's JSON: a dossier record (DongBoHoSoMC) and progress entries
(CapNhatTienDoHoSoMC), built from a dossier's history.

Dates are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh; a missing date is "" (never null).
Personal data is in these payloads: they go to the portal and nowhere else (no logs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.clock import VIETNAM
from motcua_portal.domain.history import DossierHistory, Fee, Step, Supplement

__all__ = [
    "CHANNEL_CODES",
    "ERASED_HOLDER",
    "NOTE_LIMIT",
    "PAYMENT_CODES",
    "NationalProcedure",
    "digest",
    "portal_date",
    "progress_entries",
    "record",
    "without_applicant",
]

NOTE_LIMIT = 2000
ERASED_HOLDER = "(Thông tin cá nhân đã được xoá)"
"""`ChuHoSo` of a dossier whose applicant was erased: the portal requires the field and
still needs the dossier for the national index; this names nobody."""

CHANNEL_CODES: Mapping[str, int] = {
    "counter": 1,
    "online_full": 2,
    "online_partial": 2,
    "postal": 3,
}
RETURN_CODES: Mapping[str, int] = {"counter": 0, "postal": 1, "online": 0}
PAYMENT_CODES: Mapping[str, int] = {"counter": 1, "online": 2, "bank_transfer": 3}
ID_KINDS: Mapping[str, int] = {"citizen": 1, "organisation": 3}


@dataclass(frozen=True, slots=True)
class NationalProcedure:
    """The national procedure a local one is mapped to."""

    code: str
    name: str
    field_code: str = ""
    field_name: str = ""


def portal_date(moment: datetime | None) -> str:
    """`yyyyMMddHHmmss` in Vietnam's time, "" when there is no date."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        raise ValueError("naive date-times are not sent to the portal")
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def _truncate(text: str, limit: int = NOTE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def record(
    history: DossierHistory,
    procedure: NationalProcedure,
    applicant: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """One element of `DongBoHoSoMC.data`.

    `applicant` is the dossier's `ApplicantRecorded.applicant` as JSON, kept apart from
    its events (dossier events name no person). None once the applicant was erased: the
    portal still needs the dossier for the national index, so it is sent with
    `ERASED_HOLDER` as ChuHoSo (a field the portal requires), every other personal field
    (SoGiayToChuHoSo, DinhDanhCHS's number, Email, SoDienThoai) an empty string, and the
    applicant's kind taken from the reception.
    """
    received = history.received or {}
    components = received.get("components") or ()
    digitised = bool(received.get("digitised"))
    paid_online = any(fee.paid_by == "online" for fee in history.fees)
    return {
        "MaHoSo": history.code,
        "SoBienNhan": history.code,
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name or history.procedure_name,
        "MaLinhVuc": procedure.field_code,
        "TenLinhVuc": procedure.field_name or history.procedure_field,
        **_applicant_fields(applicant, str(received.get("applicant_kind") or "citizen")),
        "TrichYeuHoSo": _truncate(f"Đề nghị giải quyết thủ tục: {history.procedure_name}"),
        "KenhThucHien": str(CHANNEL_CODES.get(str(received.get("channel")), 1)),
        "NgayNopHoSo": portal_date(history.received_at),
        "NgayTiepNhan": portal_date(history.received_at),
        "NgayHenTra": portal_date(history.appointment),
        "TrangThaiHoSo": str(int(history.status)),
        "NgayKetThucXuLy": portal_date(history.finished_at),
        "NgayTra": portal_date(history.returned_at),
        "HinhThuc": str(RETURN_CODES.get(history.return_method or "counter", 0)),
        "ThongTinTra": "",
        "NgayTuChoi": portal_date(history.refused_at),
        "DonViXuLy": history.unit,
        "GhiChu": _truncate("; ".join(note for note in history.notes if note)),
        "TaiLieuNop": [_component(index, c, digitised) for index, c in enumerate(components, 1)],
        "DanhSachGiayToKetQua": [],
        "DanhSachLePhi": [_fee(fee) for fee in history.fees],
        "DanhSachHoSoBoSung": [_supplement(s) for s in history.supplements],
        "HoSoCoThanhPhanSoHoa": "1" if digitised else "0",
        "DuocThanhToanTrucTuyen": "1" if paid_online else "0",
        "TaiKhoanDuocXacThucVoiVNeID": "0",
    }


def _applicant_fields(applicant: Mapping[str, Any] | None, kind: str) -> dict[str, Any]:
    """The record's fields about the applicant; personal ones empty when it was erased."""
    applicant = applicant or {}
    kind = str(applicant.get("kind") or kind)
    id_number = str(
        applicant.get("national_id")
        or applicant.get("organisation_code")
        or applicant.get("id_number")  # a record written before the rename
        or ""
    )
    return {
        "ChuHoSo": str(applicant.get("name") or ERASED_HOLDER),
        "LoaiDoiTuong": "2" if kind == "organisation" else "1",
        "MaDoiTuong": "",
        "SoGiayToChuHoSo": id_number,
        "DinhDanhCHS": [{"LoaiDinhDanh": str(ID_KINDS.get(kind, 1)), "SoDinhDanh": id_number}],
        "Email": str(applicant.get("email") or ""),
        "SoDienThoai": str(applicant.get("phone") or ""),
    }


def without_applicant(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A record already sent, its personal fields emptied as `record` empties them for an
    erased applicant (what the service may keep of it once the applicant is erased)."""
    kind = "organisation" if payload.get("LoaiDoiTuong") == "2" else "citizen"
    return {**payload, **_applicant_fields(None, kind)}


def _component(index: int, component: Mapping[str, Any], digitised: bool) -> dict[str, Any]:
    return {
        "TepDinhKemId": str(index),
        "TenTepDinhKem": str(component.get("name", "")),
        "MaThanhPhanHoSo": "",
        "DuongDanTaiTepTin": "",
        "IsDeleted": "False",
        "DuocSoHoa": "1" if digitised else "0",
        "DuocTaiSuDung": "0",
        "DuocLayTuKhoDMQG": "0",
    }


def _fee(fee: Fee) -> dict[str, Any]:
    return {
        "TenPhiLePhi": fee.name,
        "MaPhiLePhi": fee.key[:8],
        "HinhThucThu": str(PAYMENT_CODES.get(fee.paid_by or "", 0)),
        "Gia": str(fee.amount_vnd),
        "LoaiPhiLePhi": "1",
    }


def _supplement(supplement: Supplement) -> dict[str, Any]:
    return {
        "HoSoBoSungId": supplement.key,
        "NguoiYeuCauBoSung": supplement.asked_by,
        "NoiDungBoSung": _truncate(supplement.content),
        "NgayBoSung": portal_date(supplement.asked_at),
        "NguoiTiepNhanBoSung": "",
        "NgayTiepNhanBoSung": portal_date(supplement.received_at),
        "TrangThaiBoSung": "1" if supplement.received_at else "0",
        "ThongTinTiepNhan": "",
        "DanhSachGiayToBoSung": [],
        "DanhSachLePhiBoSung": [],
        "NgayHenTraTruoc": portal_date(supplement.appointment_before),
        "NgayHenTraMoi": portal_date(supplement.appointment_after),
    }


def progress_entries(history: DossierHistory) -> list[tuple[str, dict[str, Any]]]:
    """Every step of the dossier, in order, as `(step key, CapNhatTienDoHoSoMC entry)`."""
    return [(step.key, _entry(history.code, step)) for step in history.steps]


def _entry(code: str, step: Step) -> dict[str, Any]:
    return {
        "MaHoSo": code,
        "NguoiXuLy": step.actor,
        "ChucDanh": "",
        "ThoiDiemXuLy": portal_date(step.at),
        "PhongBanXuLy": step.unit,
        "NoiDungXuLy": _truncate(step.content),
        "TrangThai": str(int(step.status)),
        "NgayBatDau": portal_date(step.at),
        "NgayKetThucTheoQuyDinh": portal_date(step.statutory_end),
    }


def digest(payload: Mapping[str, Any]) -> str:
    """A fingerprint of what was sent, to send a step again only when it changed."""
    # The kept fingerprints were taken of this text: another encoding (orjson's, compact)
    # would make every kept step look changed, and send it to the portal again.
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()[:32]
