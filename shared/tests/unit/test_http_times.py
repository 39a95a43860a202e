"""Response times are rendered in Vietnam time (+07:00) by one base model and one helper."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motcua.http import ResponseModel, in_vietnam, vietnam_time


class _Inner(ResponseModel):
    at: datetime
    many: tuple[datetime, ...] = ()


class _Outer(ResponseModel):
    inner: _Inner
    maybe: datetime | None = None
    count: int = 0


def test_every_datetime_of_a_response_is_in_vietnam_time() -> None:
    at = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
    rendered = _Outer(inner=_Inner(at=at, many=[at]), maybe=at).model_dump(mode="json")
    assert rendered == {
        "inner": {"at": "2026-11-20T06:30:00+07:00", "many": ["2026-11-20T06:30:00+07:00"]},
        "maybe": "2026-11-20T06:30:00+07:00",
        "count": 0,
    }


def test_a_structure_written_by_hand_is_converted_throughout() -> None:
    at = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
    converted = in_vietnam({"a": [at, {"b": (at,)}], "c": "text"})
    assert converted["a"][0].isoformat() == "2026-11-20T06:30:00+07:00"
    assert converted["a"][1]["b"][0].utcoffset().total_seconds() == 7 * 3600
    assert converted["c"] == "text"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        vietnam_time(datetime(2026, 11, 20, 8, 0))
