"""Outcome of checking a value supplied from outside: the clean value, or a coded refusal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeAlias, TypeVar

__all__ = ["Checked", "ErrorCode", "Invalid", "Valid"]

T = TypeVar("T")


class ErrorCode(StrEnum):
    """Machine-readable reasons a value is refused; stable, part of the API."""

    INVALID_NATIONAL_ID = "invalid_national_id"
    INVALID_TAX_CODE = "invalid_tax_code"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    INVALID_DOSSIER_CODE = "invalid_dossier_code"
    DOSSIER_CODE_EMPTY = "dossier_code_empty"
    DOSSIER_CODE_TOO_LONG = "dossier_code_too_long"
    DOSSIER_CODE_INVALID_CHARACTERS = "dossier_code_invalid_characters"
    DOSSIER_CODE_OTHER_AGENCY = "dossier_code_other_agency"
    TIME_WITHOUT_TIMEZONE = "time_without_timezone"
    TIME_IN_FUTURE = "time_in_future"
    TIME_TOO_EARLY = "time_too_early"


@dataclass(frozen=True, slots=True)
class Valid(Generic[T]):
    """The value passed the check; `value` is its normalised form."""

    value: T


@dataclass(frozen=True, slots=True)
class Invalid:
    """The value was refused: `code` for machines, `message` for people."""

    code: ErrorCode
    message: str


Checked: TypeAlias = Valid[T] | Invalid
