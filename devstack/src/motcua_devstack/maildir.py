"""The local SMTP sink's handler: every message stored as received, one file in a Maildir.

aiosmtpd's own `Mailbox` handler parses each message into an `email.message.Message`
and writes it out again through `mailbox.Maildir`: about 1.3 ms of CPU a message, more
than the SMTP exchange itself, on the cores the services share. This handler writes
the bytes it received behind three envelope headers, as `Mailbox` does, without
parsing them: about 0.1 ms. `motcua_devstack.mail` reads the folder either way.

Run by aiosmtpd's command line: `python -m aiosmtpd -c motcua_devstack.maildir.RawMaildir
<folder>`.
"""

from __future__ import annotations

import itertools
import os
import socket
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

__all__ = ["RawMaildir"]


class RawMaildir:
    """An aiosmtpd handler that files each message in `folder/new`, through `folder/tmp`."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self._folder = Path(folder)
        for sub in ("tmp", "new", "cur"):
            (self._folder / sub).mkdir(parents=True, exist_ok=True)
        self._host = socket.gethostname().replace("/", "_").replace(":", "_")
        self._serial = itertools.count()

    @classmethod
    def from_cli(cls, parser: ArgumentParser, *args: str) -> RawMaildir:
        """The folder is the handler's one argument on aiosmtpd's command line."""
        if len(args) != 1:
            parser.error("RawMaildir takes one argument: the Maildir folder")
        return cls(args[0])

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the message; the reply tells the client it was accepted."""
        content = envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        headers = (
            f"X-Peer: {session.peer}\r\n"
            f"X-MailFrom: {envelope.mail_from}\r\n"
            f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode("utf-8", "surrogateescape")
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(self._serial)}.{self._host}"
        draft = self._folder / "tmp" / name
        draft.write_bytes(headers + content)
        draft.rename(self._folder / "new" / name)
        return "250 OK"
