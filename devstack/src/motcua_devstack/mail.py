"""The mails the local stack's SMTP sink received: a Maildir under `.local/mail/`.

`make mail` lists them (oldest first, numbered), `make mail MAIL=3` prints the third.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

__all__ = ["Mail", "mails", "summary", "text"]


@dataclass(frozen=True, slots=True)
class Mail:
    """One stored message with its number in delivery order (1 is the oldest)."""

    number: int
    message: EmailMessage

    @property
    def date(self) -> str:
        raw = self.message["Date"]
        return parsedate_to_datetime(raw).strftime("%Y-%m-%d %H:%M") if raw else "-"

    @property
    def to(self) -> str:
        return str(self.message["To"] or self.message["X-RcptTo"] or "-")

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")


def mails(folder: Path) -> list[Mail]:
    """The messages of the Maildir `folder`, oldest delivery first (none if it is missing)."""
    files = sorted(
        (path for sub in ("new", "cur") for path in (folder / sub).glob("*") if path.is_file()),
        key=lambda path: (path.stat().st_mtime_ns, path.name),
    )
    parser = BytesParser(policy=policy.default)
    return [
        Mail(number, parser.parsebytes(path.read_bytes()))
        for number, path in enumerate(files, start=1)
    ]


def summary(mail: Mail) -> str:
    """One line: number, date, recipient, subject."""
    return f"{mail.number:>4}  {mail.date:<16}  {mail.to:<32}  {mail.subject}"


def text(mail: Mail) -> str:
    """The headers a reader wants and the plain-text body (decoded)."""
    headers = "".join(
        f"{name}: {mail.message[name]}\n" for name in ("Date", "From", "To", "Subject")
    )
    body = mail.message.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    return f"{headers}\n{content}"
