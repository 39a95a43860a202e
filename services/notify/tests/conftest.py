"""Fixtures of the notify tests: a real SMTP server and the fake gateway, both on loopback."""

import httpx
import pytest
from aiosmtpd.controller import Controller

from motcua.testing import free_port
from motcua.testing.serving import serving
from motcua_notify.adapters.channels.fake_gateway import create_app

BUSY = "tam-thoi@"
UNKNOWN = "khong-ton-tai@"


class SmtpRecorder:
    """An aiosmtpd handler that keeps what it receives and refuses some mailboxes."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith(BUSY):
            return "451 4.2.1 Mailbox busy, try again later"
        if address.startswith(UNKNOWN):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted"


class SmtpServer:
    busy_mailbox = f"{BUSY}example.vn"
    unknown_mailbox = f"{UNKNOWN}example.vn"

    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = SmtpRecorder()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def gateway_url():
    async with serving(create_app(), lifespan="off") as gateway:
        yield gateway.url


@pytest.fixture
async def client():
    async with httpx.AsyncClient() as http:
        yield http


@pytest.fixture
async def gateway(gateway_url, client):
    """The shared fake gateway, emptied and set back to answering ok."""
    await client.delete(f"{gateway_url}/_messages")
    await client.post(f"{gateway_url}/_config", json={"callback_url": None})
    return gateway_url
