"""Masking personal data in log lines: the quick tests never skip a mask."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from motcua.logs import redact

# Every substitution applied to every text, as the masking was before it learnt to
# skip the patterns a text cannot match.
_EVERY_PATTERN = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"(?<!\d)(?:\+?84|0)(?:[35789]\d{8})(?!\d)"), "[phone]"),
    (re.compile(r"(?<![\d-])\d{12}(?![\d-])"), "[national-id]"),
    (
        re.compile(r"(?i)(x-api-key|authorization|api[_-]?key)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
        r"\1\2[secret]",
    ),
]


def _every_pattern(text: str) -> str:
    for pattern, replacement in _EVERY_PATTERN:
        text = pattern.sub(replacement, text)
    return text


def test_each_kind_of_personal_data_is_masked() -> None:
    line = (
        "to=an.nguyen@example.vn phone=0912345678 alt=+84912345678 "
        "id=001099012345 x-api-key: s3cret Authorization=Bearer-t0ken apı_key=k"
    )
    assert redact(line) == (
        "to=[email] phone=[phone] alt=[phone] id=[national-id] "
        "x-api-key: [secret] Authorization=[secret] apı_key=[secret]"
    )


def test_a_line_with_nothing_personal_is_left_as_it_is() -> None:
    line = "notify send channel=sms type=received to=09******12 key=ab12cd34ef56 result=sent"
    assert redact(line) == line


_PIECES = st.sampled_from(
    [
        "@",
        ".",
        "-",
        "+",
        "84",
        "0",
        "9",
        "12345678",
        "001099012345",
        "api",
        "API",
        "apı",
        "_key",
        "-key",
        "x-",
        "authorization",
        "AUTHORİZATION",
        ":",
        "=",
        " ",
        "'",
        '"',
        "}",
        "an.nguyen",
        "example.vn",
        "ı",
        "İ",
    ]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=24).map("".join))
def test_the_quick_tests_mask_exactly_what_every_pattern_masks(text: str) -> None:
    assert redact(text) == _every_pattern(text)
