"""Parameter types: calendar dates written `YYYY-MM-DD` and held to the years served."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

__all__ = ["FIRST_DAY", "LAST_DAY", "IsoDate", "check_day"]

# Dossier codes carry a two-digit year: nothing outside these years can exist.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _written_as_date(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or _ISO_DATE.fullmatch(value) is None:
        raise PydanticCustomError("date_format", "give a date as YYYY-MM-DD")
    return value


def check_day(day: date) -> date:
    """`day`, if it lies within the years served (2000–2099)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError("date_out_of_range", "give a date from 2000-01-01 to 2099-12-31")
    return day


IsoDate = Annotated[date, BeforeValidator(_written_as_date), AfterValidator(check_day)]
