import asyncio
from email import message_from_bytes, policy

import pytest

from motcua_notify.adapters.channels.smtp_email import SmtpEmailChannel, SmtpSettings
from motcua_notify.domain.content import EmailContent
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.outbound import (
    Accepted,
    OutboundMessage,
    PermanentFailure,
    TemporaryFailure,
)


def settings(port: int, pool_size: int = 2) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=port,
        sender="motcua@dongan.hanoi.gov.vn",
        sender_name="Bộ phận Một cửa",
        message_id_domain="motcua.local",
        pool_size=pool_size,
        timeout=5.0,
    )


async def test_email_arrives_as_utf8_text_and_html(smtp_server, outbound):
    message = outbound(Channel.EMAIL, "an.nguyen@example.vn")

    async with SmtpEmailChannel(settings(smtp_server.port)) as channel:
        result = await channel.send(message)

    assert result == Accepted(f"<{message.idempotency_key[:32]}@motcua.local>")
    [raw] = smtp_server.recorder.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["Subject"] == (
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả – mã hồ sơ H12.22-250303-0001"
    )
    assert mail["To"] == "an.nguyen@example.vn"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Thời gian hẹn trả kết quả: 16:30 ngày 10/03/2025" in text
    assert "Kính gửi Ông/Bà Nguyễn Văn An," in text
    assert "<strong>16:30 ngày 10/03/2025</strong>" in html
    assert "Bộ phận một cửa xã Đông Anh" in html
    assert mail["Message-ID"] == f"<{message.idempotency_key[:32]}@motcua.local>"


async def test_connection_is_reused_between_messages(smtp_server, outbound):
    channel = SmtpEmailChannel(settings(smtp_server.port, pool_size=1))
    sessions = []
    original = smtp_server.recorder.handle_DATA

    async def spy(server, session, envelope):
        sessions.append(id(session))
        return await original(server, session, envelope)

    smtp_server.recorder.handle_DATA = spy
    for n in range(3):
        assert isinstance(await channel.send(outbound(Channel.EMAIL, f"a{n}@example.vn")), Accepted)
    await channel.close()

    assert len(set(sessions)) == 1


async def test_busy_mailbox_is_temporary(smtp_server, outbound):
    async with SmtpEmailChannel(settings(smtp_server.port)) as channel:
        result = await channel.send(outbound(Channel.EMAIL, smtp_server.busy_mailbox))

    assert result == TemporaryFailure("smtp_recipient_refused_451")


async def test_unknown_mailbox_is_permanent_and_the_connection_stays_usable(smtp_server, outbound):
    async with SmtpEmailChannel(settings(smtp_server.port, pool_size=1)) as channel:
        refused = await channel.send(outbound(Channel.EMAIL, smtp_server.unknown_mailbox))
        accepted = await channel.send(outbound(Channel.EMAIL, "an@example.vn"))

    assert refused == PermanentFailure("smtp_recipient_refused_550")
    assert isinstance(accepted, Accepted)


async def test_no_server_is_temporary(unused_port):
    channel = SmtpEmailChannel(settings(unused_port))

    result = await channel.send(_email_to("an@example.vn"))

    assert result == TemporaryFailure("smtp_connection_error")


async def test_reconnects_after_the_server_restarts(smtp_server, outbound):
    channel = SmtpEmailChannel(settings(smtp_server.port, pool_size=1))
    assert isinstance(await channel.send(outbound(Channel.EMAIL, "a@example.vn")), Accepted)

    smtp_server.stop()
    smtp_server.start()
    result = await channel.send(outbound(Channel.EMAIL, "b@example.vn"))
    await channel.close()

    assert isinstance(result, Accepted)
    assert len(smtp_server.recorder.messages) == 2


async def test_wrong_content_is_permanent(smtp_server, outbound):
    channel = SmtpEmailChannel(settings(smtp_server.port))

    result = await channel.send(outbound(Channel.SMS, "+84912345678"))

    assert result == PermanentFailure("wrong_content")


async def test_a_thousand_concurrent_sends_share_the_pool(smtp_server, outbound):
    # Speed is measured by the notify benchmark, not asserted here.
    count = 1000
    messages = [outbound(Channel.EMAIL, f"citizen{n}@example.vn", f"evt-{n}") for n in range(count)]

    async with SmtpEmailChannel(settings(smtp_server.port, pool_size=4)) as channel:
        results = await asyncio.gather(*(channel.send(m) for m in messages))

    assert all(isinstance(r, Accepted) for r in results)
    assert len(smtp_server.recorder.messages) == count


async def test_long_vietnamese_subject_survives_folding(smtp_server):
    subject = "Phiếu xin lỗi và hẹn lại ngày trả kết quả – " * 5 + "mã hồ sơ H12-250303-0001"
    html = "<p>Kính gửi Ông/Bà,</p>" + "<p>Đường Lê Duẩn, phường Cửa Nam</p>" * 200
    message = _email_to("an@example.vn", EmailContent(subject, html, "Nội dung đầy đủ dấu"))

    async with SmtpEmailChannel(settings(smtp_server.port)) as channel:
        assert isinstance(await channel.send(message), Accepted)

    [raw] = smtp_server.recorder.messages
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["Subject"] == subject
    assert mail["From"].addresses[0].display_name == "Bộ phận Một cửa"
    assert mail.get_body(("html",)).get_content() == html
    assert mail.get_body(("plain",)).get_content() == "Nội dung đầy đủ dấu"


async def test_header_injection_in_the_recipient_is_refused(smtp_server):
    channel = SmtpEmailChannel(settings(smtp_server.port))

    result = await channel.send(_email_to("an@example.vn\r\nBcc: all@example.vn"))

    assert result == PermanentFailure("invalid_email")
    assert smtp_server.recorder.messages == []


def _email_to(address, content=None):
    content = content or EmailContent("Tiêu đề", "<p>Nội dung</p>", "Nội dung")
    return OutboundMessage("k" * 64, "X-1", MessageType.RECEIPT, Channel.EMAIL, address, content, 1)


pytestmark = pytest.mark.timeout(60)
