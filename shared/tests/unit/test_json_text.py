"""The JSON text every service writes to `json`/`jsonb` columns."""

import json
from datetime import UTC, datetime
from enum import StrEnum

import pytest

from motcua.db import json_text


class Kind(StrEnum):
    RECEIVED = "received"


def test_a_document_with_string_keys_is_compact_json() -> None:
    document = {"code": "H01.1-241207-0001", "steps": [{"seq": 1, "at": None}], "ok": True}
    assert json_text(document) == json.dumps(document, separators=(",", ":"))


def test_keys_that_are_not_strings_become_strings_as_with_json_dumps() -> None:
    document = {Kind.RECEIVED: 3, 7: "seven", "nested": {2: [Kind.RECEIVED]}}
    assert json.loads(json_text(document)) == json.loads(json.dumps(document))


def test_times_are_iso_8601() -> None:
    at = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    assert json_text({"at": at}) == '{"at":"2026-12-07T03:00:00+00:00"}'


def test_a_value_json_cannot_hold_is_refused() -> None:
    with pytest.raises(TypeError):
        json_text({"x": object()})
