"""Identity numbers of applicants: the 12-digit citizen ID (CCCD) and enterprise tax codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from motcua_intake.domain.validation import Checked, ErrorCode, Invalid, Valid

__all__ = [
    "PROVINCE_CODES",
    "NationalId",
    "Sex",
    "check_national_id",
    "check_tax_code",
]

# Birth-registration province codes of the 63 provinces before the 2025 merger
# (Circular 07/2016/TT-BCA, still printed on every CCCD issued since).
PROVINCE_CODES = MappingProxyType(
    {
        "001": "Hà Nội",
        "002": "Hà Giang",
        "004": "Cao Bằng",
        "006": "Bắc Kạn",
        "008": "Tuyên Quang",
        "010": "Lào Cai",
        "011": "Điện Biên",
        "012": "Lai Châu",
        "014": "Sơn La",
        "015": "Yên Bái",
        "017": "Hòa Bình",
        "019": "Thái Nguyên",
        "020": "Lạng Sơn",
        "022": "Quảng Ninh",
        "024": "Bắc Giang",
        "025": "Phú Thọ",
        "026": "Vĩnh Phúc",
        "027": "Bắc Ninh",
        "030": "Hải Dương",
        "031": "Hải Phòng",
        "033": "Hưng Yên",
        "034": "Thái Bình",
        "035": "Hà Nam",
        "036": "Nam Định",
        "037": "Ninh Bình",
        "038": "Thanh Hóa",
        "040": "Nghệ An",
        "042": "Hà Tĩnh",
        "044": "Quảng Bình",
        "045": "Quảng Trị",
        "046": "Thừa Thiên Huế",
        "048": "Đà Nẵng",
        "049": "Quảng Nam",
        "051": "Quảng Ngãi",
        "052": "Bình Định",
        "054": "Phú Yên",
        "056": "Khánh Hòa",
        "058": "Ninh Thuận",
        "060": "Bình Thuận",
        "062": "Kon Tum",
        "064": "Gia Lai",
        "066": "Đắk Lắk",
        "067": "Đắk Nông",
        "068": "Lâm Đồng",
        "070": "Bình Phước",
        "072": "Tây Ninh",
        "074": "Bình Dương",
        "075": "Đồng Nai",
        "077": "Bà Rịa - Vũng Tàu",
        "079": "Hồ Chí Minh",
        "080": "Long An",
        "082": "Tiền Giang",
        "083": "Bến Tre",
        "084": "Trà Vinh",
        "086": "Vĩnh Long",
        "087": "Đồng Tháp",
        "089": "An Giang",
        "091": "Kiên Giang",
        "092": "Cần Thơ",
        "093": "Hậu Giang",
        "094": "Sóc Trăng",
        "095": "Bạc Liêu",
        "096": "Cà Mau",
    }
)

_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_TAX_CODE = re.compile(r"(?P<base>[0-9]{10})(?:-?(?P<branch>[0-9]{3}))?")
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


class Sex(StrEnum):
    """Sex as encoded in the fourth digit of a CCCD."""

    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True)
class NationalId:
    """A well-formed citizen ID and what its first six digits say."""

    number: str
    province_code: str
    sex: Sex
    birth_year: int

    @property
    def province_name(self) -> str:
        """Name of the province where the birth was registered."""
        return PROVINCE_CODES[self.province_code]


def _invalid_id(raw: str, reason: str) -> Invalid:
    return Invalid(ErrorCode.INVALID_NATIONAL_ID, f"citizen ID {raw!r}: {reason}")


def _decode(number: str) -> NationalId:
    century_sex = int(number[3])
    # 0/1: 1900s, 2/3: 2000s, 4/5: 2100s ...; even digits are men, odd digits women.
    century = 1900 + 100 * (century_sex // 2)
    sex = Sex.MALE if century_sex % 2 == 0 else Sex.FEMALE
    return NationalId(number, number[:3], sex, century + int(number[4:6]))


def check_national_id(raw: str, *, today: date | None = None) -> Checked[NationalId]:
    """Check a 12-digit CCCD; with `today`, also refuse a birth year in the future."""
    number = raw.strip()
    if _TWELVE_DIGITS.fullmatch(number) is None:
        return _invalid_id(raw, "must be exactly 12 digits")
    if number[:3] not in PROVINCE_CODES:
        return _invalid_id(raw, f"{number[:3]} is not a province code")
    national_id = _decode(number)
    if today is not None and national_id.birth_year > today.year:
        return _invalid_id(raw, f"birth year {national_id.birth_year} is in the future")
    return Valid(national_id)


def _tax_check_digit(base: str) -> int | None:
    remainder = sum(w * int(d) for w, d in zip(_TAX_WEIGHTS, base, strict=False)) % 11
    digit = 10 - remainder
    return None if digit == 10 else digit


def check_tax_code(raw: str) -> Checked[str]:
    """Check an organisation tax code (10 digits, or 13 for a branch: "0100109106-001")."""
    text = raw.strip()
    match = _TAX_CODE.fullmatch(text)
    if match is None:
        return Invalid(
            ErrorCode.INVALID_TAX_CODE,
            f"tax code {raw!r}: must be 10 digits, or 10 digits, '-' and 3 digits",
        )
    base, branch = match["base"], match["branch"]
    if _tax_check_digit(base) != int(base[9]):
        return Invalid(ErrorCode.INVALID_TAX_CODE, f"tax code {raw!r}: wrong check digit")
    if branch is None:
        return Valid(base)
    if branch == "000":
        return Invalid(ErrorCode.INVALID_TAX_CODE, f"tax code {raw!r}: branch 000 is not issued")
    return Valid(f"{base}-{branch}")
