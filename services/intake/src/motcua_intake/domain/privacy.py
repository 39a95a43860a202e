"""Personal data rules: keyed digests of identity numbers, and when a record's time is up.

A digest lets an administrator find a person's dossiers for an erasure request without
intake keeping the number: HMAC-SHA256 under a secret pepper, so a leaked table cannot be
reversed by hashing every possible citizen ID (there are only 10¹² of them).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Literal

from motcua.events import Applicant

__all__ = ["applicant_digest", "id_digest", "retention_cutoff"]


def id_digest(pepper: bytes, kind: Literal["citizen", "organisation"], number: str) -> bytes:
    """The keyed digest of a citizen ID or an organisation's tax code."""
    return hmac.new(pepper, f"{kind}:{number.strip()}".encode(), hashlib.sha256).digest()


def applicant_digest(pepper: bytes, applicant: Applicant) -> bytes | None:
    """The digest of the applicant's own identity number, if it has one."""
    number = applicant.id_number
    return None if number is None else id_digest(pepper, applicant.kind, number)


def retention_cutoff(now: datetime, retention_days: float) -> datetime:
    """A closed dossier whose last event happened before this has outlived its retention."""
    return now - timedelta(days=retention_days)
