"""Stand-ins for the outside world the services talk to, on loopback.

`mailsink` is aiosmtpd storing every message as received in the Maildir `.local/mail/`
(`motcua_devstack.maildir`; `make mail` lists them, see `motcua_devstack.mail`);
`gateway` is notify's fake SMS / Zalo ZNS / webhook gateway (`GET /_messages` lists what
it received); `dvcqg` is the fake national portal the portal service syncs to
(`GET /_received?MaHoSo=<code>`).
"""

from __future__ import annotations

import os
import socket
import sys

import httpx

from motcua_devstack.layout import Layout
from motcua_devstack.ports import HOST
from motcua_devstack.processes import running_pid, spawn, stop, wait_until, write_pid

__all__ = ["MARKERS", "OWNERS", "SINKS", "notify_env", "portal_env", "start", "wanted"]

SINKS = ("mailsink", "gateway", "dvcqg")
MARKERS = {
    "mailsink": "aiosmtpd",
    "gateway": "motcua_notify.adapters.channels.fake_gateway:create_app",
    # Without its package, so that a fake portal started as `motcua.devstack.fake_dvcqg`
    # (before the local stack had a workspace member of its own) is still found and stopped.
    "dvcqg": "fake_dvcqg:create_app",
}
_APPS = {
    "gateway": "motcua_notify.adapters.channels.fake_gateway:create_app",
    "dvcqg": "motcua_devstack.fake_dvcqg:create_app",
}
OWNERS = {"mailsink": "notify", "gateway": "notify", "dvcqg": "portal"}
_PROBES = {"gateway": "/_messages", "dvcqg": "/_calls"}


def wanted(services: list[str]) -> list[str]:
    """The sinks the services that will run talk to."""
    return [sink for sink in SINKS if OWNERS[sink] in services]


def _command(layout: Layout, sink: str, port: int) -> list[str]:
    if sink == "mailsink":
        return [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"{HOST}:{port}",
            "-c",
            "motcua_devstack.maildir.RawMaildir",
            str(layout.mail),
        ]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        _APPS[sink],
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
    ]


def _answers(sink: str, port: int) -> bool:
    if sink == "mailsink":
        try:
            with socket.create_connection((HOST, port), timeout=1) as conn:
                return conn.recv(3) == b"220"
        except OSError:
            return False
    try:
        return httpx.get(f"http://{HOST}:{port}{_PROBES[sink]}", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def start(layout: Layout, sink: str, port: int) -> bool:
    """Start a sink unless it runs; False if it was already running."""
    pid_file = layout.pid(sink)
    if running_pid(pid_file, MARKERS[sink]) is not None:
        return False
    log = layout.log(sink)
    pid = spawn(_command(layout, sink, port), log=log, cwd=layout.root, env=dict(os.environ))
    write_pid(pid_file, pid)
    try:
        wait_until(
            lambda: _answers(sink, port),
            what=sink,
            timeout=30,
            alive=lambda: running_pid(pid_file, MARKERS[sink]) is not None,
            log=log,
        )
    except Exception:
        stop(pid, MARKERS[sink])
        raise
    return True


def notify_env(ports: dict[str, int]) -> dict[str, str]:
    """Point notify at the sinks."""
    gateway = f"http://{HOST}:{ports['gateway']}"
    return {
        "NOTIFY_SMTP__HOST": HOST,
        "NOTIFY_SMTP__PORT": str(ports["mailsink"]),
        "NOTIFY_SMS__BASE_URL": gateway,
        "NOTIFY_ZALO__BASE_URL": gateway,
    }


def portal_env(ports: dict[str, int]) -> dict[str, str]:
    """Point the portal service at the fake national portal, sending every procedure with
    its local code (nobody maps procedures in the local stack)."""
    return {
        "PORTAL_DVCQG__ADAPTER_URL": f"http://{HOST}:{ports['dvcqg']}",
        "PORTAL_DVCQG__DSTCODE": "LOCAL",
        "PORTAL_SYNC__UNMAPPED_PROCEDURE": "local_code",
    }
