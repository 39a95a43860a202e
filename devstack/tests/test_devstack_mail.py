"""The local SMTP sink keeps what notify sends, and `motcua-stack mail` shows it."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from motcua_devstack import sinks
from motcua_devstack.cli import run
from motcua_devstack.layout import ROOT_ENV, STATE_ENV, Layout
from motcua_devstack.mail import mails
from motcua_devstack.ports import HOST, load_ports
from motcua_devstack.processes import running_pid, stop


def _send(port: int, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = "khong-tra-loi@motcua.phutho.gov.vn"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Mon, 01 Jun 2026 08:15:00 +0700"
    message.set_content(body)
    with smtplib.SMTP(HOST, port, timeout=10) as smtp:
        smtp.send_message(message)


def test_a_mail_sent_over_smtp_is_stored_listed_and_printed(
    layout: Layout, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = load_ports(layout)["mailsink"]
    sinks.start(layout, "mailsink", port)
    try:
        _send(port, "dan@example.vn", "Phiếu tiếp nhận hồ sơ STP-260601-0001", "Kính gửi ông Dân")
        _send(port, "an@example.vn", "Thư xin lỗi", "Hồ sơ trễ hạn")
    finally:
        pid = running_pid(layout.pid("mailsink"), sinks.MARKERS["mailsink"])
        assert pid is not None
        stop(pid, sinks.MARKERS["mailsink"])

    stored = mails(layout.mail)
    assert [(m.to, m.subject) for m in stored] == [
        ("dan@example.vn", "Phiếu tiếp nhận hồ sơ STP-260601-0001"),
        ("an@example.vn", "Thư xin lỗi"),
    ]
    monkeypatch.setenv(ROOT_ENV, str(layout.root))
    monkeypatch.delenv(STATE_ENV, raising=False)
    assert run(["mail"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split()[:3] == ["1", "2026-06-01", "08:15"]
    assert listed[0].endswith("Phiếu tiếp nhận hồ sơ STP-260601-0001")
    assert run(["mail", "--show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "To: dan@example.vn" in shown
    assert "Kính gửi ông Dân" in shown
