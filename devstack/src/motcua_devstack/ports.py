"""Loopback ports of the stack, chosen once and kept in `.local/ports.json`.

Keeping them means URLs in `.local/stack.env`, shells and browser tabs stay
valid from one `up` to the next.
"""

from __future__ import annotations

import json
import os
import random
import socket
from collections.abc import Iterable
from pathlib import Path

from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout

__all__ = [
    "HOST",
    "PORT_NAMES",
    "ensure_free",
    "holder",
    "is_free",
    "load_ports",
]

HOST = "127.0.0.1"
PORT_NAMES = (
    "postgres",
    "kafka",
    "kafka_controller",
    "prometheus",
    "intake",
    "tracking",
    "scoring",
    "notify",
    "mailsink",
    "gateway",
    "portal",
    "dvcqg",
)
# Below Linux's ephemeral range (32768+), so an outgoing connection never
# borrows a kept port while the stack is down.
_RANGE = range(20000, 32000)


def is_free(port: int) -> bool:
    """Whether a server could listen on `HOST:port` now (as the stack's servers would)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _choose(taken: Iterable[int]) -> int:
    excluded = set(taken)
    for _ in range(200):
        port = random.choice(_RANGE)
        if port not in excluded and is_free(port):
            return port
    raise StackError(f"no free port found in {_RANGE.start}-{_RANGE.stop - 1} on {HOST}")


def load_ports(layout: Layout, extra: Iterable[str] = ()) -> dict[str, int]:
    """The kept ports, choosing (and saving) any not chosen yet; `extra` names more
    ports than the stack's own (a second instance of a service)."""
    path = layout.ports_file
    ports: dict[str, int] = {}
    if path.is_file():
        try:
            ports = {str(k): int(v) for k, v in json.loads(path.read_text("utf-8")).items()}
        except (ValueError, AttributeError) as error:
            raise StackError(f"{path} is not valid JSON ({error}); delete it") from error
    missing = [name for name in (*PORT_NAMES, *extra) if name not in ports]
    for name in missing:
        ports[name] = _choose(ports.values())
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(ports, indent=2) + "\n", encoding="utf-8")
    return ports


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.is_file():
            continue
        for row in table.read_text().splitlines()[1:]:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def holder(port: int) -> str | None:
    """`pid N (command)` of the process listening on `port`, when it can be found."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (proc / "fd").iterdir()}
            if links & wanted:
                command = " ".join((proc / "cmdline").read_bytes().decode().split("\0"))
                return f"pid {proc.name} ({' '.join(command.split())[:80]})"
        except OSError:
            continue
    return None


def ensure_free(component: str, port: int, layout: Layout) -> None:
    """Fail, naming the port and the way out, if something else listens on it."""
    if is_free(port):
        return
    who = holder(port) or "another process"
    raise StackError(
        f"{component}: port {HOST}:{port} (kept in {layout.ports_file}) is taken by {who}, "
        "which this stack did not start. Stop that process, or delete that file "
        "to choose new ports on the next `up`."
    )
