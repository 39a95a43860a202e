"""A fast builder for the one MIME shape we send: multipart/alternative, UTF-8, base64.

The standard library's EmailMessage re-parses and re-folds every header on each
flatten (about 3 ms per Vietnamese message here), which alone caps a sender near
300 emails a second. Our messages have a fixed shape, so they are written directly;
the component tests parse them back with the standard library to prove them valid.
"""

import base64
import hashlib
from email.utils import formataddr

__all__ = ["address_header", "alternative_message", "encoded_header"]

_CRLF = "\r\n"
# 39 bytes -> 52 base64 chars; with "=?utf-8?b?", "?=" and a header name a line stays < 78.
_WORD_BYTES = 39


def encoded_header(value: str) -> str:
    """Return an RFC 2047 header value: plain if ASCII, else folded UTF-8 base64 words."""
    if value.isascii() and len(value) <= 900 and "\n" not in value and "\r" not in value:
        return value
    return f"{_CRLF} ".join(f"=?utf-8?b?{_b64(chunk)}?=" for chunk in _chunks(value))


def address_header(name: str, address: str) -> str:
    """Return "Display Name <address>", the name encoded when it is not ASCII."""
    if name.isascii():
        return formataddr((name, address))
    encoded = encoded_header(name)
    separator = " " if len(encoded) + len(address) < 64 else f"{_CRLF} "
    return f"{encoded}{separator}<{address}>"


def alternative_message(headers: dict[str, str], text: str, html: str) -> bytes:
    """Return the bytes of a multipart/alternative mail with a plain and an HTML part."""
    boundary = "=_motcua_" + hashlib.sha256((text + html).encode("utf-8")).hexdigest()[:24]
    lines = [f"{name}: {value}" for name, value in headers.items()]
    lines += [
        "MIME-Version: 1.0",
        "Content-Type: multipart/alternative;",
        f' boundary="{boundary}"',
        "",
        f"--{boundary}",
        *_part("text/plain", text),
        f"--{boundary}",
        *_part("text/html", html),
        f"--{boundary}--",
        "",
    ]
    return _CRLF.join(lines).encode("ascii")


def _part(content_type: str, body: str) -> list[str]:
    encoded = base64.encodebytes(body.encode("utf-8")).decode("ascii").rstrip("\n")
    return [
        f'Content-Type: {content_type}; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        *encoded.split("\n"),
    ]


def _chunks(value: str) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for char in value.replace("\r", " ").replace("\n", " "):
        width = len(char.encode("utf-8"))
        if size + width > _WORD_BYTES:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    chunks.append("".join(current))
    return chunks


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
