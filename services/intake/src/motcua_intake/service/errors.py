"""Why a request is refused: a stable code, a kind that maps to a status, field errors."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from motcua_intake.domain.planning import Refusal
from motcua_intake.domain.validation import Invalid

__all__ = [
    "FieldError",
    "Kind",
    "Rejection",
    "body_location",
    "field_rejection",
    "from_invalid",
    "from_refusal",
    "pointer_of",
    "shape_rejection",
    "validation_errors",
]

Kind = Literal[
    "invalid", "malformed", "unauthenticated", "forbidden", "not_found", "conflict", "too_large"
]
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One refused field: a JSON pointer into the request body."""

    pointer: str
    code: str
    detail: str


class Rejection(Exception):
    """A command refused as a whole; nothing of it is stored or published."""

    def __init__(
        self,
        kind: Kind,
        code: str,
        detail: str,
        errors: Sequence[FieldError] = (),
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.kind: Kind = kind
        self.code = code
        self.detail = detail
        self.errors = tuple(errors)
        self.extensions = dict(extensions or {})

    def within(self, prefix: str) -> Rejection:
        """The same rejection with its pointers below `prefix` (e.g. "/events/2")."""
        if not prefix:
            return self
        errors = [FieldError(prefix + e.pointer, e.code, e.detail) for e in self.errors]
        return Rejection(self.kind, self.code, self.detail, errors, self.extensions)


def field_rejection(errors: Sequence[FieldError]) -> Rejection:
    """422 for field errors; its code is theirs when they agree."""
    codes = {e.code for e in errors}
    code = codes.pop() if len(codes) == 1 else "validation_failed"
    detail = errors[0].detail if len(errors) == 1 else f"{len(errors)} fields are invalid"
    return Rejection("invalid", code, detail, errors)


def pointer_of(path: str | Sequence[str | int]) -> str:
    """A JSON pointer from a dotted path ("steps[2].amount") or a location tuple."""
    if isinstance(path, str):
        parts: Sequence[str | int] = [p for p in _INDEX.sub(r".\1", path).split(".") if p]
    else:
        parts = path
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def from_invalid(pointer: str, invalid: Invalid) -> FieldError:
    """A domain refusal as a field error."""
    return FieldError(pointer, invalid.code.value, invalid.message)


def from_refusal(refusal: Refusal) -> Rejection:
    """A command the dossier's state refuses, as a rejection (with its field, if one)."""
    errors: list[FieldError] = []
    if refusal.field is not None:
        pointer, detail = refusal.field
        errors.append(FieldError(pointer, refusal.code, detail))
    return Rejection(refusal.kind, refusal.code, refusal.detail, errors)


_EVENT_TAGS = frozenset(
    {
        "transferred",
        "supplement_requested",
        "supplement_received",
        "refused",
        "financial_obligation_set",
        "financial_obligation_paid",
        "processing_finished",
        "result_returned",
        "withdrawn",
        "satisfaction_rated",
    }
)
_TOP_TAGS = frozenset(
    {"registration", "event", "apology", "register_dossier", "record_event", "file_apology"}
)


def _location(loc: Sequence[str | int], tagged_top: bool) -> list[str | int]:
    parts = list(loc)
    if tagged_top and parts and parts[0] in _TOP_TAGS:
        parts = parts[1:]
    kept: list[str | int] = []
    for part in parts:
        follows_union = not kept or kept[-1] in ("event", "body") or isinstance(kept[-1], int)
        if part in _EVENT_TAGS and follows_union:
            continue
        kept.append(part)
    return kept


def body_location(loc: Sequence[str | int]) -> list[str | int]:
    """Where in a request body an error is, without the union tags pydantic adds."""
    return _location(loc, tagged_top=False)


def validation_errors(
    errors: Sequence[Any], *, tagged_top: bool = False, prefix: str = ""
) -> list[FieldError]:
    """Pydantic errors as field errors; the union tags pydantic adds to paths are dropped."""
    found = []
    for error in errors:
        pointer = prefix + pointer_of(_location(error["loc"], tagged_top))
        found.append(FieldError(pointer or "/", str(error["type"]), str(error["msg"])))
    return found


def shape_rejection(errors: Sequence[Any], *, tagged_top: bool = False) -> Rejection:
    """422 (400 for malformed JSON) for a body that does not have the documented shape."""
    fields = validation_errors(errors, tagged_top=tagged_top)
    if any(e.code == "json_invalid" for e in fields):
        return Rejection("malformed", "malformed_json", "the body is not valid JSON", fields)
    detail = fields[0].detail if len(fields) == 1 else f"{len(fields)} fields are invalid"
    return Rejection("invalid", "invalid_request", detail, fields)
