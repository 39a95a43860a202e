"""Recipient contacts: validation, normalisation and masking for logs."""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from motcua_notify.domain.messages import Channel

__all__ = [
    "ContactFailure",
    "Recipient",
    "address_for",
    "mask",
    "normalise_email",
    "normalise_phone",
]

# Mobile prefixes in use since the 2018 renumbering (03x, 05x, 07x, 08x, 09x).
_VN_MOBILE = re.compile(r"(?:3[2-9]|5[25689]|7[06-9]|8[1-9]|9\d)\d{7}")
_PHONE_NOISE = re.compile(r"[\s.\-()]")
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_URL = re.compile(r"https?://[^\s/]+\S*")


class ContactFailure(StrEnum):
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    MISSING_CONTACT = "missing_contact"
    NO_CONSENT = "no_consent"


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to and which channels they accepted.

    `webhook_url` is for official systems; `consents` lists the channels the
    recipient agreed to (a dossier carries email, Zalo and SMS flags).
    """

    phone: str | None = None
    email: str | None = None
    webhook_url: str | None = None
    consents: frozenset[Channel] = field(default_factory=frozenset)


def normalise_phone(raw: str) -> str | ContactFailure:
    """Return a Vietnamese mobile number as +84XXXXXXXXX, or INVALID_PHONE."""
    digits = _PHONE_NOISE.sub("", raw)
    for prefix in ("+84", "0084", "84", "0"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 9:
            digits = digits[len(prefix) :]
            break
    if not _VN_MOBILE.fullmatch(digits):
        return ContactFailure.INVALID_PHONE
    return f"+84{digits}"


def normalise_email(raw: str) -> str | ContactFailure:
    """Return an email address with its domain lower-cased, or INVALID_EMAIL."""
    candidate = raw.strip()
    if len(candidate) > 254 or not _EMAIL.fullmatch(candidate):
        return ContactFailure.INVALID_EMAIL
    local, domain = candidate.rsplit("@", 1)
    if len(local) > 64 or ".." in candidate:
        return ContactFailure.INVALID_EMAIL
    return f"{local}@{domain.lower()}"


def address_for(recipient: Recipient, channel: Channel) -> str | ContactFailure:
    """Return the normalised address to use on a channel, or why there is none."""
    if channel not in recipient.consents:
        return ContactFailure.NO_CONSENT
    if channel is Channel.EMAIL:
        return normalise_email(recipient.email) if recipient.email else _missing()
    if channel is Channel.WEBHOOK:
        url = recipient.webhook_url
        return url if url and _URL.fullmatch(url) else _missing()
    return normalise_phone(recipient.phone) if recipient.phone else _missing()


def mask(address: str) -> str:
    """Hide most of a phone number or email for logs: "+84*******89", "n***@hcm.gov.vn"."""
    if "@" in address:
        local, domain = address.rsplit("@", 1)
        return f"{local[:1]}***@{domain}"
    if address.startswith(("http://", "https://")):
        return address.split("/", 3)[2]
    keep = 3 if address.startswith("+") else 1
    return address[:keep] + "*" * max(len(address) - keep - 2, 0) + address[-2:]


def _missing() -> ContactFailure:
    return ContactFailure.MISSING_CONTACT
