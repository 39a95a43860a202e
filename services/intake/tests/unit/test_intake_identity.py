from datetime import date

import pytest

from motcua_intake.domain.identity import (
    PROVINCE_CODES,
    NationalId,
    Sex,
    check_national_id,
    check_tax_code,
)
from motcua_intake.domain.validation import ErrorCode, Invalid, Valid


def test_there_are_63_pre_2025_province_codes_between_001_and_096() -> None:
    assert len(PROVINCE_CODES) == 63
    assert min(PROVINCE_CODES) == "001"
    assert max(PROVINCE_CODES) == "096"
    assert PROVINCE_CODES["025"] == "Phú Thọ"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"


@pytest.mark.parametrize(
    ("number", "province", "sex", "year"),
    [
        ("025095001234", "025", Sex.MALE, 1995),
        ("001302012345", "001", Sex.FEMALE, 2002),
        ("079200000001", "079", Sex.MALE, 2000),
        ("096187654321", "096", Sex.FEMALE, 1987),
    ],
)
def test_a_valid_citizen_id_is_decoded(number: str, province: str, sex: Sex, year: int) -> None:
    assert check_national_id(number) == Valid(NationalId(number, province, sex, year))


def test_surrounding_whitespace_is_ignored() -> None:
    result = check_national_id(" 025095001234\n")
    assert isinstance(result, Valid)
    assert result.value.number == "025095001234"
    assert result.value.province_name == "Phú Thọ"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("02509500123", "exactly 12 digits"),
        ("0250950012345", "exactly 12 digits"),
        ("02509500123A", "exactly 12 digits"),
        ("025 095 001 234", "exactly 12 digits"),
        ("", "exactly 12 digits"),
        ("003095001234", "003 is not a province code"),
        ("000095001234", "000 is not a province code"),
        ("097095001234", "097 is not a province code"),
    ],
)
def test_a_malformed_citizen_id_is_refused(number: str, reason: str) -> None:
    result = check_national_id(number)
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.INVALID_NATIONAL_ID == "invalid_national_id"
    assert reason in result.message


def test_a_birth_year_after_today_is_refused_when_today_is_given() -> None:
    number = "001333012345"  # born 2033
    assert isinstance(check_national_id(number), Valid)
    result = check_national_id(number, today=date(2026, 3, 1))
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.INVALID_NATIONAL_ID
    assert "2033" in result.message
    assert isinstance(check_national_id("001326012345", today=date(2026, 3, 1)), Valid)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0100109106", "0100109106"),
        ("0101243150", "0101243150"),
        ("0100109106-001", "0100109106-001"),
        ("0100109106001", "0100109106-001"),
        (" 0101243150-012 ", "0101243150-012"),
    ],
)
def test_a_valid_tax_code_is_normalised(raw: str, normalised: str) -> None:
    assert check_tax_code(raw) == Valid(normalised)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0100109107", "check digit"),
        ("0000000000", "check digit"),
        ("010010910", "10 digits"),
        ("01001091060", "10 digits"),
        ("0100109106-01", "10 digits"),
        ("0100109106/001", "10 digits"),
        ("010010910A", "10 digits"),
        ("0100109106-000", "branch 000"),
    ],
)
def test_a_malformed_tax_code_is_refused(raw: str, reason: str) -> None:
    result = check_tax_code(raw)
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.INVALID_TAX_CODE == "invalid_tax_code"
    assert reason in result.message
