import pytest

from motcua_notify.domain.contacts import (
    ContactFailure,
    Recipient,
    address_for,
    mask,
    normalise_email,
    normalise_phone,
)
from motcua_notify.domain.messages import Channel


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "091.234.5678",
        "+84912345678",
        "84912345678",
        "0084912345678",
        "+84 91 234 5678",
        "(+84) 912-345-678",
    ],
)
def test_vietnamese_mobiles_normalise_to_plus_84(raw):
    assert normalise_phone(raw) == "+84912345678"


@pytest.mark.parametrize(
    "raw", ["0321234567", "0561234567", "0701234567", "0861234567", "0991234567"]
)
def test_current_mobile_prefixes_are_accepted(raw):
    assert normalise_phone(raw) == "+84" + raw[1:]


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "091234567",
        "09123456789",
        "0241234567",
        "0123456789",
        "+1 415 555 0100",
        "09a2345678",
        "0312345678",
    ],
)
def test_landlines_old_and_foreign_numbers_are_invalid(raw):
    assert normalise_phone(raw) is ContactFailure.INVALID_PHONE


def test_email_domain_is_lower_cased():
    assert normalise_email("  Nguyen.An@HaNoi.GOV.vn ") == "Nguyen.An@hanoi.gov.vn"


@pytest.mark.parametrize(
    "raw",
    ["an", "an@", "@hanoi.gov.vn", "an@hanoi", "a b@x.vn", "a..b@x.vn", "an@x.vn\nBcc: b@y.vn"],
)
def test_invalid_emails(raw):
    assert normalise_email(raw) is ContactFailure.INVALID_EMAIL


def test_address_needs_consent_and_contact():
    everything = frozenset(Channel)
    citizen = Recipient(phone="0912345678", email="an@x.vn", consents=everything)

    assert address_for(citizen, Channel.SMS) == "+84912345678"
    assert address_for(citizen, Channel.ZALO) == "+84912345678"
    assert address_for(citizen, Channel.EMAIL) == "an@x.vn"
    assert address_for(citizen, Channel.WEBHOOK) is ContactFailure.MISSING_CONTACT
    assert address_for(Recipient(phone="0912345678"), Channel.SMS) is ContactFailure.NO_CONSENT
    assert address_for(Recipient(consents=everything), Channel.EMAIL) is (
        ContactFailure.MISSING_CONTACT
    )
    assert address_for(Recipient(phone="024 3825 1234", consents=everything), Channel.SMS) is (
        ContactFailure.INVALID_PHONE
    )


def test_webhook_address_is_an_http_url():
    official = Recipient(webhook_url="https://qlvb.hanoi.gov.vn/hook", consents=frozenset(Channel))

    assert address_for(official, Channel.WEBHOOK) == "https://qlvb.hanoi.gov.vn/hook"


def test_mask_hides_the_middle():
    assert mask("+84912345689") == "+84*******89"
    assert mask("nguyen.an@hanoi.gov.vn") == "n***@hanoi.gov.vn"
    assert mask("https://qlvb.hanoi.gov.vn/hook?token=secret") == "qlvb.hanoi.gov.vn"
