from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua_intake.domain.codes import (
    MAX_CODE_LENGTH,
    DossierCode,
    check_client_code,
    dossier_code_at,
    format_dossier_code,
    format_dossier_codes,
    is_agency_code,
    parse_dossier_code,
)
from motcua_intake.domain.validation import ErrorCode, Invalid, Valid

DAY = date(2026, 3, 9)


@pytest.mark.parametrize(
    ("sequence", "code"),
    [
        (1, "STP-260309-0001"),
        (42, "STP-260309-0042"),
        (9999, "STP-260309-9999"),
        (10000, "STP-260309-10000"),
        (123456, "STP-260309-123456"),
    ],
)
def test_the_sequence_is_padded_to_four_digits_and_widens(sequence: int, code: str) -> None:
    assert format_dossier_code("STP", DAY, sequence) == code


def test_the_code_is_dated_in_vietnam_time() -> None:
    late_evening_utc = datetime(2026, 3, 9, 18, 30, tzinfo=UTC)  # 01:30 on the 10th in Hà Nội
    assert dossier_code_at("XLAMTHAO", late_evening_utc, 7) == "XLAMTHAO-260310-0007"


@pytest.mark.parametrize(
    ("agency", "sequence"),
    [("stp", 1), ("", 1), ("ST-P", 1), (".STP", 1), ("STP", 0), ("STP", -3), ("A" * 33, 1)],
)
def test_format_refuses_a_bad_agency_or_sequence(agency: str, sequence: int) -> None:
    with pytest.raises(ValueError):
        format_dossier_code(agency, DAY, sequence)


def test_format_refuses_a_year_outside_the_two_digit_range() -> None:
    with pytest.raises(ValueError, match="year"):
        format_dossier_code("STP", date(1999, 12, 31), 1)


def test_agency_codes_may_hold_inner_dots() -> None:
    assert is_agency_code("000.00.19.H26")
    assert not is_agency_code("000.00.19.H26.")


def test_a_code_is_parsed_into_its_parts() -> None:
    assert parse_dossier_code("000.00.19.H26-251231-10000") == Valid(
        DossierCode("000.00.19.H26", date(2025, 12, 31), 10000)
    )
    assert str(DossierCode("SXD", DAY, 5)) == "SXD-260309-0005"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "STP-260309-001",
        "STP-260309-01234",
        "STP-260309-0000",
        "STP-260230-0001",
        "STP-261301-0001",
        "stp-260309-0001",
        "STP260309-0001",
        "STP-2603090-0001",
        "STP-260309-0001-",
        "-260309-0001",
        "STP-260309-0001 ",
        f"{'A' * 50}-260309-{'1' * 10}",
    ],
)
def test_anything_else_is_an_invalid_dossier_code(text: str) -> None:
    result = parse_dossier_code(text)
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.INVALID_DOSSIER_CODE == "invalid_dossier_code"


agency_codes = st.from_regex(r"[A-Z0-9](?:[A-Z0-9.]{0,20}[A-Z0-9])?", fullmatch=True)


@given(
    agency=agency_codes,
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.integers(min_value=1, max_value=10**9),
)
def test_format_and_parse_round_trip(agency: str, day: date, sequence: int) -> None:
    code = format_dossier_code(agency, day, sequence)
    assert parse_dossier_code(code) == Valid(DossierCode(agency, day, sequence))
    assert len(code.rsplit("-", 1)[1]) == max(4, len(str(sequence)))


@given(
    agency=agency_codes,
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    first=st.integers(min_value=1, max_value=10**9),
    count=st.integers(min_value=0, max_value=50),
)
def test_a_run_of_codes_is_each_code_in_turn(
    agency: str, day: date, first: int, count: int
) -> None:
    assert format_dossier_codes(agency, day, first, count) == [
        format_dossier_code(agency, day, sequence) for sequence in range(first, first + count)
    ]


@given(
    agency=agency_codes,
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    first=st.integers(min_value=1, max_value=99_999),
    second=st.integers(min_value=1, max_value=99_999),
)
def test_codes_of_one_agency_and_day_differ_when_sequences_differ(
    agency: str, day: date, first: int, second: int
) -> None:
    same_code = format_dossier_code(agency, day, first) == format_dossier_code(agency, day, second)
    assert same_code == (first == second)


@pytest.mark.parametrize(
    "text",
    ["000.00.19.H26-240315-0001", "G01.123-250101-AA0001", "abc_DEF-1", "X" * MAX_CODE_LENGTH],
)
def test_a_client_code_is_accepted_as_given(text: str) -> None:
    assert check_client_code(text) == Valid(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", ErrorCode.DOSSIER_CODE_EMPTY),
        ("X" * (MAX_CODE_LENGTH + 1), ErrorCode.DOSSIER_CODE_TOO_LONG),
        ("STP 260309 0001", ErrorCode.DOSSIER_CODE_INVALID_CHARACTERS),
        ("STP/260309/0001", ErrorCode.DOSSIER_CODE_INVALID_CHARACTERS),
        ("HỒSƠ-1", ErrorCode.DOSSIER_CODE_INVALID_CHARACTERS),
        ("STP-0001\n", ErrorCode.DOSSIER_CODE_INVALID_CHARACTERS),
    ],
)
def test_a_bad_client_code_is_refused_with_its_reason(text: str, code: ErrorCode) -> None:
    result = check_client_code(text)
    assert isinstance(result, Invalid)
    assert result.code == code
