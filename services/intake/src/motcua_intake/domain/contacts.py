"""Contact details of applicants: Vietnamese mobile numbers and email addresses."""

from __future__ import annotations

import re

from motcua_intake.domain.validation import Checked, ErrorCode, Invalid, Valid

__all__ = ["check_email", "check_phone"]

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile ranges since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x.
_MOBILE = re.compile(r"(?:\+84|84|0)(?P<subscriber>[35789][0-9]{8})")

_EMAIL_MAX = 254
_LOCAL_MAX = 64
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TOP_LEVEL = re.compile(r"[A-Za-z]{2,63}")


def check_phone(raw: str) -> Checked[str]:
    """Check a Vietnamese mobile number and normalise it to E.164 ("+84912345678")."""
    match = _MOBILE.fullmatch(_PHONE_SEPARATORS.sub("", raw))
    if match is None:
        return Invalid(
            ErrorCode.INVALID_PHONE,
            f"phone {raw!r}: expected a mobile number such as 0912345678 or +84912345678",
        )
    return Valid(f"+84{match['subscriber']}")


def _domain_ok(domain: str) -> bool:
    labels = domain.split(".")
    return (
        len(labels) >= 2
        and all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        and _TOP_LEVEL.fullmatch(labels[-1]) is not None
    )


def check_email(raw: str) -> Checked[str]:
    """Check an email address's syntax; the domain is lower-cased, the local part kept."""
    text = raw.strip()
    local, at, domain = text.rpartition("@")
    well_formed = (
        bool(at)
        and len(text) <= _EMAIL_MAX
        and len(local) <= _LOCAL_MAX
        and _LOCAL_PART.fullmatch(local) is not None
        and _domain_ok(domain)
    )
    if not well_formed:
        return Invalid(ErrorCode.INVALID_EMAIL, f"email {raw!r} is not a valid address")
    return Valid(f"{local}@{domain.lower()}")
