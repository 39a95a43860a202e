"""Email over SMTP with a small pool of kept-open connections."""

import asyncio
from dataclasses import dataclass
from email.utils import formatdate

import aiosmtplib

from motcua_notify.adapters.channels.http_outcomes import log_result
from motcua_notify.adapters.channels.mime import address_header, alternative_message, encoded_header
from motcua_notify.domain import messages
from motcua_notify.domain.content import EmailContent
from motcua_notify.domain.outbound import (
    Accepted,
    OutboundMessage,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

__all__ = ["SmtpEmailChannel", "SmtpSettings"]


@dataclass(frozen=True)
class SmtpSettings:
    """Where to relay mail and as whom; `pool_size` connections are kept open (the
    defaults live in the service's settings, `NOTIFY_SMTP__*`, alone)."""

    host: str
    port: int
    sender: str
    sender_name: str
    message_id_domain: str
    pool_size: int
    timeout: float
    username: str | None = None
    password: str | None = None
    start_tls: bool | None = False
    use_tls: bool = False


@dataclass(frozen=True)
class _Mail:
    sender: str
    recipient: str
    message_id: str
    raw: bytes


class SmtpEmailChannel:
    """Sends multipart/alternative (plain text + HTML, UTF-8) mail through a connection pool.

    Connections open lazily and stay open between messages, which is what makes
    hundreds of messages a second possible against a nearby relay. A connection
    found closed by the server is reopened and the message retried once on it.
    Reply codes 4xx are temporary, 5xx permanent; connection errors temporary.
    The Message-ID is the first 128 bits of the idempotency key, so receivers can
    spot repeats.
    """

    def __init__(self, settings: SmtpSettings) -> None:
        """Prepare the pool; nothing connects until the first send."""
        self._settings = settings
        self._pool: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
        for _ in range(settings.pool_size):
            self._pool.put_nowait(self._client())

    @property
    def name(self) -> messages.Channel:
        """This is the email channel."""
        return messages.Channel.EMAIL

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one email on a pooled connection."""
        if not isinstance(message.content, EmailContent):
            return log_result(message, PermanentFailure("wrong_content"))
        if "\r" in message.recipient or "\n" in message.recipient:
            return log_result(message, PermanentFailure("invalid_email"))
        mail = self._mail(message, message.content)
        smtp = await self._pool.get()
        try:
            result = await self._deliver(smtp, mail)
        finally:
            self._pool.put_nowait(smtp)
        return log_result(message, result)

    async def close(self) -> None:
        """Say QUIT on every open connection."""
        for _ in range(self._settings.pool_size):
            smtp = await self._pool.get()
            await _quit(smtp)
            self._pool.put_nowait(smtp)

    async def __aenter__(self) -> "SmtpEmailChannel":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _deliver(self, smtp: aiosmtplib.SMTP, mail: _Mail) -> SendResult:
        reused = smtp.is_connected
        try:
            return await _transaction(smtp, mail)
        except aiosmtplib.SMTPServerDisconnected:
            if not reused:
                return TemporaryFailure("smtp_disconnected")
        await _quit(smtp)
        try:
            return await _transaction(smtp, mail)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError):
            return TemporaryFailure("smtp_disconnected")

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            timeout=s.timeout,
            username=s.username,
            password=s.password,
            start_tls=s.start_tls,
            use_tls=s.use_tls,
        )

    def _mail(self, message: OutboundMessage, content: EmailContent) -> _Mail:
        s = self._settings
        message_id = f"<{message.idempotency_key[:32]}@{s.message_id_domain}>"
        headers = {
            "From": address_header(s.sender_name, s.sender),
            "To": message.recipient,
            "Subject": encoded_header(content.subject),
            "Date": formatdate(localtime=False, usegmt=True),
            "Message-ID": message_id,
        }
        raw = alternative_message(headers, content.text, content.html)
        return _Mail(s.sender, message.recipient, message_id, raw)


async def _transaction(smtp: aiosmtplib.SMTP, mail: _Mail) -> SendResult:
    """One MAIL/RCPT/DATA exchange, connecting first if needed; reply codes become results."""
    try:
        if not smtp.is_connected:
            await smtp.connect()
        await smtp.sendmail(mail.sender, [mail.recipient], mail.raw)
    except aiosmtplib.SMTPRecipientsRefused as refused:
        return _from_code(min(r.code for r in refused.recipients), "smtp_recipient_refused")
    except aiosmtplib.SMTPConnectResponseError as error:
        return _from_code(error.code, "smtp_connect_refused")
    except aiosmtplib.SMTPResponseException as error:
        return _from_code(error.code, "smtp_reply")
    except aiosmtplib.SMTPServerDisconnected:
        raise
    except ValueError:
        return PermanentFailure("invalid_email")
    except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError, OSError):
        await _quit(smtp)
        return TemporaryFailure("smtp_connection_error")
    return Accepted(mail.message_id)


def _from_code(code: int, reason: str) -> TemporaryFailure | PermanentFailure:
    if 400 <= code < 500:
        return TemporaryFailure(f"{reason}_{code}")
    return PermanentFailure(f"{reason}_{code}")


async def _quit(smtp: aiosmtplib.SMTP) -> None:
    if not smtp.is_connected:
        return
    try:
        await smtp.quit()
    except (aiosmtplib.SMTPException, OSError):
        smtp.close()
