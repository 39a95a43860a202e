"""Dossier codes: `<agency code>-YYMMDD-NNNN`, and codes supplied by counter software."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from motcua_intake.domain.clock_checks import local_date
from motcua_intake.domain.validation import Checked, ErrorCode, Invalid, Valid

__all__ = [
    "MAX_CODE_LENGTH",
    "DossierCode",
    "check_client_code",
    "check_code_agency",
    "dossier_code_at",
    "format_dossier_code",
    "format_dossier_codes",
    "is_agency_code",
    "parse_dossier_code",
]

MAX_CODE_LENGTH = 64
_SEQUENCE_WIDTH = 4
_AGENCY_CODE = re.compile(r"[A-Z0-9](?:[A-Z0-9.]*[A-Z0-9])?")
_DOSSIER_CODE = re.compile(
    r"(?P<agency>[A-Z0-9](?:[A-Z0-9.]*[A-Z0-9])?)"
    r"-(?P<day>[0-9]{6})"
    r"-(?P<sequence>[0-9]{4}|[1-9][0-9]{4,})"
)
_CLIENT_CODE_CHARS = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class DossierCode:
    """The parts of a code issued by this system."""

    agency: str
    day: date
    sequence: int

    def __str__(self) -> str:
        return format_dossier_code(self.agency, self.day, self.sequence)


def is_agency_code(text: str) -> bool:
    """Whether `text` can prefix a dossier code (upper-case letters, digits, inner dots)."""
    return len(text) <= 32 and _AGENCY_CODE.fullmatch(text) is not None


def format_dossier_code(agency: str, day: date, sequence: int) -> str:
    """The code of the `sequence`-th dossier of `agency` on local date `day`.

    The sequence is zero-padded to four digits and widens past 9999 (10000 → "10000").
    """
    (code,) = format_dossier_codes(agency, day, sequence, 1)
    return code


def format_dossier_codes(agency: str, day: date, first: int, count: int) -> list[str]:
    """The codes of `count` dossiers of `agency` on local date `day`, numbered from `first`
    (as `format_dossier_code` gives each)."""
    if not is_agency_code(agency):
        raise ValueError(f"{agency!r} is not a valid agency code")
    if first < 1:
        raise ValueError(f"sequence must start at 1, got {first}")
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"year {day.year} does not fit the two-digit year of a dossier code")
    prefix = f"{agency}-{day:%y%m%d}-"
    return [f"{prefix}{sequence:0{_SEQUENCE_WIDTH}d}" for sequence in range(first, first + count)]


def dossier_code_at(agency: str, received_at: datetime, sequence: int) -> str:
    """The code for a dossier received at the aware `received_at` (dated in Vietnam time)."""
    return format_dossier_code(agency, local_date(received_at), sequence)


def _invalid_code(text: str, reason: str) -> Invalid:
    return Invalid(ErrorCode.INVALID_DOSSIER_CODE, f"dossier code {text!r}: {reason}")


def parse_dossier_code(text: str) -> Checked[DossierCode]:
    """Split a code issued by this system into agency, local date and sequence."""
    match = _DOSSIER_CODE.fullmatch(text)
    if match is None or len(text) > MAX_CODE_LENGTH:
        return _invalid_code(text, "expected <agency code>-YYMMDD-NNNN")
    digits = match["day"]
    try:
        day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        return _invalid_code(text, f"{digits} is not a calendar date")
    sequence = int(match["sequence"])
    if sequence == 0:
        return _invalid_code(text, "sequence numbers start at 0001")
    return Valid(DossierCode(match["agency"], day, sequence))


def check_client_code(text: str) -> Checked[str]:
    """Accept a code supplied by counter software: 1–64 of A–Z, a–z, 0–9, '.', '_', '-'."""
    if not text:
        return Invalid(ErrorCode.DOSSIER_CODE_EMPTY, "dossier code is empty")
    if len(text) > MAX_CODE_LENGTH:
        return Invalid(
            ErrorCode.DOSSIER_CODE_TOO_LONG,
            f"dossier code has {len(text)} characters; at most {MAX_CODE_LENGTH} are allowed",
        )
    if _CLIENT_CODE_CHARS.fullmatch(text) is None:
        return Invalid(
            ErrorCode.DOSSIER_CODE_INVALID_CHARACTERS,
            f"dossier code {text!r} may only hold letters A–Z, digits, '.', '_' and '-'",
        )
    return Valid(text)


def check_code_agency(text: str, agency: str) -> Checked[str]:
    """Accept a supplied code only under its agency's prefix (`<agency>-…`), so an agency
    can never take, or block, a code that names another agency."""
    if not text.startswith(f"{agency}-"):
        return Invalid(
            ErrorCode.DOSSIER_CODE_OTHER_AGENCY,
            f"a dossier code of {agency} starts with '{agency}-'",
        )
    return Valid(text)
