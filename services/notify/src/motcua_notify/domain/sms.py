"""SMS encodings, segment counting and the unaccented fallback for GSM-7 gateways.

A text made only of GSM 03.38 characters travels as GSM-7: 160 septets in a single
message, 153 per part once concatenated (the user data header takes 7). Characters
of the extension table (``^{}[]~|\\€`` and form feed) take two septets. Anything else,
including every Vietnamese letter with a diacritic, forces UCS-2: 70 UTF-16 code
units alone, 67 per part. A part never splits an escape pair or a surrogate pair.
"""

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from unidecode import unidecode

__all__ = ["SmsEncoding", "SmsSize", "encoding_of", "measure", "segments", "unaccented"]

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM7 = _GSM7_BASIC | _GSM7_EXTENSION

_SINGLE = {"gsm7": 160, "ucs2": 70}
_PART = {"gsm7": 153, "ucs2": 67}


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class SmsSize:
    """How a text travels: its encoding, its length in units, and its segment count."""

    encoding: SmsEncoding
    units: int
    segments: int


def encoding_of(text: str) -> SmsEncoding:
    """Return GSM7 if every character is in the GSM 03.38 tables, else UCS2."""
    return SmsEncoding.GSM7 if _GSM7.issuperset(text) else SmsEncoding.UCS2


def measure(text: str) -> SmsSize:
    """Return the encoding, length in septets or UTF-16 units, and segment count of a text."""
    encoding = encoding_of(text)
    units = _units(text, encoding)
    if units <= _SINGLE[encoding]:
        return SmsSize(encoding, units, 1)
    if units == len(text):  # every character one unit: parts split anywhere
        return SmsSize(encoding, units, -(-units // _PART[encoding]))
    return SmsSize(encoding, units, _pack([_unit_cost(c, encoding) for c in text], _PART[encoding]))


def segments(text: str) -> tuple[SmsEncoding, int]:
    """Return (encoding, number of segments) for a text."""
    size = measure(text)
    return size.encoding, size.segments


def unaccented(text: str) -> str:
    """Strip Vietnamese diacritics (đ→d, Đ→D) so the text fits GSM-7.

    Characters with no GSM-7 form after transliteration become "?".
    """
    plain = unidecode(unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D"))
    return "".join(char if char in _GSM7 else "?" for char in plain)


def _units(text: str, encoding: SmsEncoding) -> int:
    """The sum of `_unit_cost` over the text: septets in GSM-7, UTF-16 units in UCS-2."""
    if encoding is SmsEncoding.GSM7:
        return len(text) + sum(1 for char in text if char in _GSM7_EXTENSION)
    return len(text.encode("utf-16-le")) // 2


def _unit_cost(char: str, encoding: SmsEncoding) -> int:
    if encoding is SmsEncoding.GSM7:
        return 2 if char in _GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def _pack(costs: list[int], capacity: int) -> int:
    parts, used = 1, 0
    for cost in costs:
        if used + cost > capacity:
            parts, used = parts + 1, 0
        used += cost
    return parts
