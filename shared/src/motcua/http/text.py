"""Text from outside: control characters are refused (a NUL cannot even be stored).

`Line` is one line of text: no control character at all. `Paragraph` may span lines:
tab, line feed and carriage return are kept, every other control character refused.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

__all__ = ["Line", "Paragraph", "control_character_at"]

_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_IN_PARAGRAPH = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character_at(text: str, multiline: bool = False) -> int | None:
    """The position of the first control character refused in `text`, if any."""
    found = (_IN_PARAGRAPH if multiline else _IN_LINE).search(text)
    return None if found is None else found.start()


def _refuse(text: str, multiline: bool) -> str:
    position = control_character_at(text, multiline)
    if position is not None:
        raise PydanticCustomError(
            "control_character",
            "control characters are not allowed (the first is at position {position})",
            {"position": position},
        )
    return text


def _line(text: str) -> str:
    return _refuse(text, multiline=False)


def _paragraph(text: str) -> str:
    return _refuse(text, multiline=True)


Line = Annotated[str, AfterValidator(_line)]
Paragraph = Annotated[str, AfterValidator(_paragraph)]
