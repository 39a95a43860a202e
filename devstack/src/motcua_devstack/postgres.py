"""The PostgreSQL 15 cluster of the local stack, in `.local/pg/`.

`asyncpg_dsn`, `quote_identifier` and `ensure_databases` are the common package's
(`motcua.db`), named here too for the stack's callers.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import asyncpg

from motcua.db import asyncpg_dsn, ensure_databases, quote_identifier
from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout
from motcua_devstack.ports import HOST
from motcua_devstack.processes import is_running, read_pid, tail, write_pid

__all__ = [
    "USER",
    "asyncpg_dsn",
    "base_url",
    "ensure_databases",
    "find_bin_dir",
    "ping",
    "quote_identifier",
    "running_pid",
    "start",
    "stop",
]

USER = "motcua"
_SYSTEM_USER = "postgres"
_INSTALL_HINT = "apt-get install -y postgresql-15 (server binaries: initdb, pg_ctl)"
# Unix socket paths are limited to 107 bytes; deep checkouts fall back to /tmp.
_MAX_SOCKET_DIR = 80


def base_url(port: int) -> str:
    """The SQLAlchemy URL of the cluster without a database (services append `/<name>`)."""
    return f"postgresql+asyncpg://{USER}@{HOST}:{port}"


def find_bin_dir() -> Path:
    """The folder holding `initdb`, `pg_ctl` and `postgres` of one installation."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    if installed:
        return installed[0].parent
    raise StackError(f"PostgreSQL is not installed: run: {_INSTALL_HINT}")


def _as_root() -> bool:
    return os.geteuid() == 0


def _command(bin_dir: Path, tool: str, *args: str) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the postgres system user.
    command = [str(bin_dir / tool), *args]
    return ["runuser", "-u", _SYSTEM_USER, "--", *command] if _as_root() else command


def _run(command: Sequence[str], what: str, cwd: Path) -> None:
    done = subprocess.run(  # noqa: S603
        command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise StackError(f"postgres: {what} failed:\n{done.stdout}{done.stderr}")


def _ensure_system_user() -> None:
    try:
        pwd.getpwnam(_SYSTEM_USER)
    except KeyError:
        _run(
            ["useradd", "--system", "--user-group", "--no-create-home", _SYSTEM_USER],
            "creating the postgres system user",
            Path("/"),
        )


def _hand_over(paths: Iterable[Path]) -> None:
    """Give the postgres system user its files and a way through their parent folders."""
    owner = pwd.getpwnam(_SYSTEM_USER).pw_uid
    group = grp.getgrnam(_SYSTEM_USER).gr_gid if _group_exists() else -1
    for top in paths:
        for folder in top.parents:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                folder.chmod(mode | stat.S_IXOTH)
        entries = [top, *top.rglob("*")] if top.is_dir() else [top]
        for entry in entries:
            os.chown(entry, owner, group, follow_symlinks=False)


def _group_exists() -> bool:
    try:
        grp.getgrnam(_SYSTEM_USER)
    except KeyError:
        return False
    return True


def socket_dir(layout: Layout) -> Path:
    """Where the server puts its Unix socket."""
    if len(str(layout.pg_sockets)) <= _MAX_SOCKET_DIR:
        return layout.pg_sockets
    digest = hashlib.sha256(str(layout.state).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"motcua-pg-{digest}"


def _prepare(layout: Layout) -> None:
    layout.pg.mkdir(parents=True, exist_ok=True)
    socket_dir(layout).mkdir(parents=True, exist_ok=True)
    layout.logs.mkdir(parents=True, exist_ok=True)
    layout.log("postgres").touch()
    if _as_root():
        _ensure_system_user()
        _hand_over([layout.pg, socket_dir(layout), layout.log("postgres")])


def _initdb(layout: Layout, bin_dir: Path) -> bool:
    if (layout.pg_data / "PG_VERSION").is_file():
        return False
    layout.pg_data.mkdir(mode=0o700, parents=True, exist_ok=True)
    if _as_root():
        _hand_over([layout.pg_data])
    args = ["-D", str(layout.pg_data), "-U", USER, "--auth=trust", "--encoding=UTF8"]
    _run(_command(bin_dir, "initdb", *args, "--no-locale"), "initdb", layout.pg)
    return True


def running_pid(layout: Layout) -> int | None:
    """The postmaster's PID when the cluster runs."""
    pid = read_pid(layout.pg_data / "postmaster.pid")
    if pid is not None and is_running(pid, "postgres"):
        return pid
    return None


def start(layout: Layout, port: int) -> bool:
    """Create the cluster on first use and start it; False if it was already running."""
    if running_pid(layout) is not None:
        return False
    bin_dir = find_bin_dir()
    _prepare(layout)
    _initdb(layout, bin_dir)
    options = (
        f"-p {port} -k {socket_dir(layout)} -c listen_addresses={HOST}"
        " -c max_connections=300 -c shared_buffers=256MB -c max_wal_size=4GB"
    )
    log = layout.log("postgres")
    command = _command(
        bin_dir, "pg_ctl", "-D", str(layout.pg_data), "-l", str(log), "-w", "-t", "90"
    )
    done = subprocess.run(  # noqa: S603
        [*command, "-o", options, "start"],
        cwd=layout.pg,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    pid = running_pid(layout)
    if done.returncode != 0 or pid is None:
        raise StackError(f"postgres: pg_ctl start failed; end of {log}:\n{tail(log)}")
    write_pid(layout.pid("postgres"), pid)
    return True


def stop(layout: Layout) -> bool:
    """Stop the cluster (`pg_ctl stop -m fast`); False if it was not running."""
    if running_pid(layout) is None:
        layout.pid("postgres").unlink(missing_ok=True)
        return False
    command = _command(find_bin_dir(), "pg_ctl", "-D", str(layout.pg_data), "-m", "fast", "-w")
    _run([*command, "-t", "60", "stop"], "pg_ctl stop", layout.pg)
    layout.pid("postgres").unlink(missing_ok=True)
    return True


async def ping(url: str) -> bool:
    """Whether the server behind a SQLAlchemy URL accepts a connection."""
    try:
        connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True
