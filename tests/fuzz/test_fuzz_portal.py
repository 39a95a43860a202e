"""The portal's HTTP API fuzzed from its OpenAPI document, on a real database and broker
(the national portal is the fake one of the local stack, served on loopback from a thread
of this process)."""

from __future__ import annotations

import socket
import threading
import time
from functools import cache

import pytest
import uvicorn
from fastapi import FastAPI
from http_fuzzing import FuzzRun, ServiceFuzz
from pydantic import SecretStr

from motcua_devstack.fake_dvcqg import create_app as create_fake_portal
from motcua_portal.app import create_app
from motcua_portal.settings import (
    ApiSettings,
    DvcqgSettings,
    PortalSettings,
    SyncSettings,
    TopicSettings,
)

pytestmark = pytest.mark.infra

PASSWORD = "fake-portal-password"
ADMIN = {"Authorization": "Bearer admin-fuzz-token"}
API = ApiSettings(
    official_token=SecretStr("official-fuzz-token"), admin_token=SecretStr("admin-fuzz-token")
)


@cache
def national_portal() -> str:
    """The fake national portal's address, served by uvicorn in a thread until the tests
    end (the portal reaches it over HTTP, as it reaches the real one)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_fake_portal(password=PASSWORD), log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake national portal did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def build(run: FuzzRun) -> FastAPI:
    settings = PortalSettings(
        **run.common(),
        topics=run.topics.wire(TopicSettings),
        api=API,
        sync=SyncSettings(enabled=False),
        dvcqg=DvcqgSettings(adapter_url=national_portal(), password=PASSWORD, dstcode="PTO"),
    )
    return create_app(settings)


FUZZ = ServiceFuzz("portal", create_app(PortalSettings(api=API)), build)
test_every_answer_is_documented, test_no_credentials_is_401 = FUZZ.tests(ADMIN)
