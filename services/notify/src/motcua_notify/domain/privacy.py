"""Addresses looked up without keeping them in clear: a keyed digest of the normalised form."""

import hashlib
import hmac

from motcua_notify.domain.contacts import ContactFailure, normalise_email, normalise_phone

__all__ = ["address_digest", "normalise_address"]


def normalise_address(raw: str) -> str:
    """Return the form an address is stored under (email, +84 phone or URL), else `raw` trimmed."""
    candidate = raw.strip()
    if candidate.startswith(("http://", "https://")):
        return candidate
    normalised = normalise_email(candidate) if "@" in candidate else normalise_phone(candidate)
    return candidate if isinstance(normalised, ContactFailure) else normalised


def address_digest(key: bytes, address: str) -> bytes:
    """Return HMAC-SHA256 of a normalised address (keyed, so phone numbers cannot be guessed)."""
    return hmac.new(key, address.encode("utf-8"), hashlib.sha256).digest()
