"""Stand-ins for the outside world notify talks to, on loopback: an SMTP sink and a gateway.

`mailsink` is aiosmtpd (messages are written to its log); `gateway` is notify's fake
SMS / Zalo ZNS / webhook gateway (`GET /_messages` lists what it received).
"""

from __future__ import annotations

import os
import socket
import sys

import httpx

from motcua.devstack.layout import Layout
from motcua.devstack.ports import HOST
from motcua.devstack.processes import running_pid, spawn, stop, wait_until, write_pid

__all__ = ["MARKERS", "SINKS", "notify_env", "start"]

SINKS = ("mailsink", "gateway")
MARKERS = {
    "mailsink": "aiosmtpd",
    "gateway": "motcua_notify.adapters.channels.fake_gateway:create_app",
}


def _command(sink: str, port: int) -> list[str]:
    if sink == "mailsink":
        return [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"{HOST}:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        MARKERS["gateway"],
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
        return httpx.get(f"http://{HOST}:{port}/_messages", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def start(layout: Layout, sink: str, port: int) -> bool:
    """Start a sink unless it runs; False if it was already running."""
    pid_file = layout.pid(sink)
    if running_pid(pid_file, MARKERS[sink]) is not None:
        return False
    log = layout.log(sink)
    pid = spawn(_command(sink, port), log=log, cwd=layout.root, env=dict(os.environ))
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
