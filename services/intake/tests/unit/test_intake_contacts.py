import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua_intake.domain.contacts import check_email, check_phone
from motcua_intake.domain.validation import ErrorCode, Invalid, Valid


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("0387654321", "+84387654321"),
        ("0563334444", "+84563334444"),
        ("0701234567", "+84701234567"),
        ("0888888888", "+84888888888"),
        ("+84912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("091 234 5678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("+84 (91) 234-5678", "+84912345678"),
    ],
)
def test_a_vietnamese_mobile_number_is_normalised_to_e164(raw: str, e164: str) -> None:
    assert check_phone(raw) == Valid(e164)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0241234567",  # Hà Nội landline
        "0112345678",  # pre-2018 11-digit range, truncated
        "01234567890",  # pre-2018 11-digit mobile
        "091234567",
        "09123456789",
        "+8491234567",
        "+840912345678",
        "+85512345678",
        "0912a45678",
    ],
)
def test_anything_else_is_an_invalid_phone(raw: str) -> None:
    result = check_phone(raw)
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.INVALID_PHONE == "invalid_phone"


@given(
    prefix=st.sampled_from("35789"),
    rest=st.text(alphabet="0123456789", min_size=8, max_size=8),
    form=st.sampled_from(["0", "84", "+84"]),
)
def test_every_written_form_of_a_number_gives_the_same_e164(
    prefix: str, rest: str, form: str
) -> None:
    assert check_phone(f"{form}{prefix}{rest}") == Valid(f"+84{prefix}{rest}")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("nguyen.van.a@gmail.com", "nguyen.van.a@gmail.com"),
        ("  hotro@PhuTho.GOV.VN ", "hotro@phutho.gov.vn"),
        ("Tran_Thi+motcua@mail.example.vn", "Tran_Thi+motcua@mail.example.vn"),
    ],
)
def test_a_valid_email_is_accepted(raw: str, normalised: str) -> None:
    assert check_email(raw) == Valid(normalised)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "no-at-sign.vn",
        "@gmail.com",
        "a@",
        "a@localhost",
        "a..b@gmail.com",
        ".a@gmail.com",
        "a b@gmail.com",
        "a@gmail..com",
        "a@-gmail.com",
        "a@gmail.c",
        "a@gmail.123",
        "nguyễn@gmail.com",
        f"{'a' * 65}@gmail.com",
        f"a@{'b' * 250}.vn",
    ],
)
def test_a_malformed_email_is_refused(raw: str) -> None:
    result = check_email(raw)
    assert isinstance(result, Invalid)
    assert result.code == ErrorCode.INVALID_EMAIL == "invalid_email"
