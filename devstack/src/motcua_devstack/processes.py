"""Processes the stack starts: spawning, PID files, liveness, stopping, waiting."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from motcua_devstack import launcher
from motcua_devstack.errors import StackError

__all__ = [
    "is_running",
    "read_pid",
    "running_pid",
    "spawn",
    "stop",
    "tail",
    "wait_until",
    "write_pid",
]


def spawn(command: Sequence[str], *, log: Path, cwd: Path, env: Mapping[str, str]) -> int:
    """Start `command` in its own session, output appended to `log`; return its PID."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # -I keeps this folder (with its kafka.py, postgres.py...) off the launcher's sys.path.
    started = subprocess.run(  # noqa: S603
        [sys.executable, "-I", launcher.__file__, str(log), str(cwd), *command],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0 or not started.stdout.strip().isdigit():
        raise StackError(f"cannot start {command[0]}: {started.stderr.strip()}")
    return int(started.stdout.strip())


def read_pid(path: Path) -> int | None:
    """The PID in `path` (first line), or None when missing or garbled."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def write_pid(path: Path, pid: int) -> None:
    """Record the PID of a process the stack started."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{pid}\n")


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] in {"Z", "X"}


def is_running(pid: int, marker: str | None = None) -> bool:
    """Whether `pid` is alive and, given a marker, still the program we started.

    The marker guards against a PID reused by an unrelated program after a reboot.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if _is_zombie(pid):
        return False
    return marker is None or marker in _command_line(pid)


def running_pid(pid_file: Path, marker: str | None = None) -> int | None:
    """The PID recorded in `pid_file` if that process still runs."""
    pid = read_pid(pid_file)
    if pid is not None and is_running(pid, marker):
        return pid
    return None


def stop(pid: int, marker: str | None = None, timeout: float = 30.0) -> bool:
    """SIGTERM the process (its whole group when it leads one), then SIGKILL after `timeout`.

    Returns whether it had to be killed.
    """
    if not is_running(pid, marker):
        return False
    try:
        group_leader = os.getpgid(pid) == pid
    except ProcessLookupError:
        return False
    send = os.killpg if group_leader else os.kill
    with contextlib.suppress(ProcessLookupError):
        send(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid):
            return False
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        send(pid, signal.SIGKILL)
    while is_running(pid) and time.monotonic() < deadline + 10:
        time.sleep(0.1)
    return True


def tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    timeout: float,
    alive: Callable[[], bool],
    log: Path,
) -> None:
    """Poll `ready` until true; fail with the log's tail on timeout or if the process died."""
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        if not alive():
            raise StackError(f"{what} exited during start-up; end of {log}:\n{tail(log)}")
        if time.monotonic() > deadline:
            raise StackError(f"{what} not ready after {timeout:.0f}s; end of {log}:\n{tail(log)}")
        time.sleep(0.5)
