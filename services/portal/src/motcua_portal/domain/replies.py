"""Reading the portal's replies defensively.

`error_code` arrives as the integer 0, the string "0" or "00" depending on the portal
version; other systems also see "3"/"-3". Which codes count as success, and which words
mean "the dossier already exists" or "the session is no longer valid", are settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Outcome", "Reply", "ReplyRules", "error_code", "read_reply"]


class Outcome(StrEnum):
    """What a reply means for the dossiers it answers."""

    OK = "ok"
    EXISTS = "exists"
    NOT_FOUND = "not_found"
    SESSION_EXPIRED = "session_expired"
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"
    GARBAGE = "garbage"
    TIMEOUT = "timeout"

    @property
    def transient(self) -> bool:
        """Worth trying again as it is (the portal may answer otherwise next time)."""
        return self in (Outcome.UNAVAILABLE, Outcome.GARBAGE, Outcome.TIMEOUT)


@dataclass(frozen=True, slots=True)
class ReplyRules:
    """How replies are read (all settings)."""

    success_codes: frozenset[int] = frozenset({0})
    exists_phrases: tuple[str, ...] = ("đã tồn tại", "already exists")
    not_found_phrases: tuple[str, ...] = ("không tồn tại", "không tìm thấy", "not found")
    session_phrases: tuple[str, ...] = (
        "session",
        "phiên làm việc",
        "token hết hạn",
        "hết phiên",
    )
    session_codes: frozenset[int] = frozenset({401})


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply as understood, with the raw text kept for the record and the DLQ."""

    outcome: Outcome
    code: str
    message: str
    raw: str
    body: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """The call did what was asked."""
        return self.outcome is Outcome.OK


def error_code(value: object) -> int | None:
    """0, "0", "00", " -3 " → an integer; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
    return None


def _contains(message: str, phrases: Iterable[str]) -> bool:
    lowered = message.casefold()
    return any(phrase.casefold() in lowered for phrase in phrases)


def read_reply(status: int, raw: str, rules: ReplyRules = ReplyRules()) -> Reply:
    """Classify an HTTP reply of the portal."""
    if status >= 500 or status in (408, 429):
        return Reply(Outcome.UNAVAILABLE, f"http_{status}", "", raw)
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        if status in rules.session_codes:
            return Reply(Outcome.SESSION_EXPIRED, f"http_{status}", "", raw)
        return Reply(Outcome.GARBAGE, "garbage" if status < 400 else f"http_{status}", "", raw)
    raw_code = body.get("error_code", body.get("errorCode"))
    code = error_code(raw_code)
    message = str(body.get("message") or body.get("error_message") or body.get("msg") or "")
    shown = str(raw_code).strip() if raw_code is not None else "missing"
    if status in rules.session_codes or (
        code not in rules.success_codes and _contains(message, rules.session_phrases)
    ):
        return Reply(Outcome.SESSION_EXPIRED, shown, message, raw, body)
    if _contains(message, rules.exists_phrases):
        return Reply(Outcome.EXISTS, shown, message, raw, body)
    if code is not None and code in rules.success_codes and status < 400:
        return Reply(Outcome.OK, shown, message, raw, body)
    if _contains(message, rules.not_found_phrases):
        return Reply(Outcome.NOT_FOUND, shown, message, raw, body)
    if code is None:
        return Reply(Outcome.GARBAGE, shown, message, raw, body)
    return Reply(Outcome.REJECTED, shown, message, raw, body)
