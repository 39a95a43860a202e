"""Times as HTTP responses render them: in Asia/Ho_Chi_Minh (+07:00), as events are.

A response model derives from `ResponseModel` and every datetime it holds (nested in
lists, tuples or dicts too) is written in Vietnam time; a route that writes its JSON
itself passes its values through `in_vietnam` first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, field_validator

from motcua.clock import VIETNAM

__all__ = ["VIETNAM", "ResponseModel", "in_vietnam", "vietnam_time"]


def vietnam_time(moment: datetime) -> datetime:
    """The same instant in Vietnam time; a naive time is refused (its zone is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive date-time has no place in a response")
    return moment.astimezone(VIETNAM)


def in_vietnam(value: Any) -> Any:
    """`value` with every datetime in it (in lists, tuples and dicts too) in Vietnam time."""
    if isinstance(value, datetime):
        return vietnam_time(value)
    if isinstance(value, dict):
        return {key: in_vietnam(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(in_vietnam(item) for item in value)
    return value


class ResponseModel(BaseModel):
    """Base of the models a route returns: its datetimes are held, so rendered, in +07:00.

    Converted when the model is built (not by a serializer, which would leave the
    response schema of the OpenAPI document untyped).
    """

    @field_validator("*", mode="after", check_fields=False)
    @classmethod
    def _times_in_vietnam(cls, value: Any) -> Any:
        return in_vietnam(value)
