"""Structured JSON logs, with personal data masked before anything is written."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "configure_logging", "redact"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[35789]\d{8})(?!\d)")
_NATIONAL_ID = re.compile(r"(?<![\d-])\d{12}(?![\d-])")
_SECRET = re.compile(
    r"(?i)(x-api-key|authorization|api[_-]?key)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"
)
# A phone number or a national ID is a run of at least nine digits: where a text has
# none, neither pattern can match, and one search is cheaper than the two scans.
_NINE_DIGITS = re.compile(r"\d{9}")
# Every key name the secret pattern knows holds "api" or "authorization", matched as
# it matches them (IGNORECASE also folds letters such as the dotless ı into i).
_SECRET_WORD = re.compile(r"(?i)a(?:pi|uthorization)")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """Mask emails, Vietnamese phone numbers, 12-digit national IDs and API keys.

    Each pattern runs only where the text holds what its match needs, so the common
    log line, with nothing to mask, costs a few cheap tests rather than four scans.
    """
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    if _NINE_DIGITS.search(text):
        text = _PHONE.sub("[phone]", text)
        text = _NATIONAL_ID.sub("[national-id]", text)
    if _SECRET_WORD.search(text):
        text = _SECRET.sub(r"\1\2[secret]", text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extras, exception."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact(str(value)) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record to stderr as JSON; quiet chatty libraries."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "uvicorn.access", "faststream.access"):
        logging.getLogger(noisy).setLevel("WARNING")
