"""The four services as uvicorn processes, configured through their environment."""

from __future__ import annotations

import importlib.util
import math
import os
import sys
from collections.abc import Mapping

import httpx

from motcua.events.topics import SERVICES
from motcua.settings import ServiceSettings
from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout
from motcua_devstack.ports import HOST
from motcua_devstack.processes import running_pid, spawn, stop, wait_until, write_pid

__all__ = [
    "SERVICES",
    "app_module",
    "command",
    "graceful_timeout",
    "has_app",
    "marker",
    "service_env",
    "start",
    "url",
]


def app_module(service: str) -> str:
    """The module holding the service's `create_app` factory."""
    return f"motcua_{service}.app"


def marker(service: str) -> str:
    """What the service's command line contains, to recognise its process."""
    return f"{app_module(service)}:create_app"


def has_app(service: str) -> bool:
    """Whether the service's app module exists yet."""
    try:
        return importlib.util.find_spec(app_module(service)) is not None
    except ModuleNotFoundError:
        return False


def url(port: int) -> str:
    """The base URL of a service listening on `port`."""
    return f"http://{HOST}:{port}"


def service_env(
    service: str, port: int, database_url: str, bootstrap_servers: str
) -> dict[str, str]:
    """Settings of one service, in its `<SERVICE>_` prefixed, `__`-nested form."""
    prefix = service.upper()
    return {
        f"{prefix}_DATABASE__URL": f"{database_url}/{service}",
        f"{prefix}_KAFKA__BOOTSTRAP_SERVERS": bootstrap_servers,
        f"{prefix}_HTTP__PORT": str(port),
    }


def graceful_timeout(shutdown_seconds: float) -> int:
    """uvicorn's bound (whole seconds) on open connections after SIGTERM: just past half of
    the service's `SHUTDOWN_SECONDS`, when the service itself answers the requests still
    running with 503, so uvicorn only cancels what is left (a stream, a stuck socket)."""
    return math.ceil(shutdown_seconds / 2) + 1


def command(service: str, port: int, environment: Mapping[str, str]) -> list[str]:
    """The uvicorn command line serving the service on `port`, its graceful-shutdown
    timeout taken from the service's `<SERVICE>_SHUTDOWN_SECONDS` (else the default)."""
    key = f"{service.upper()}_SHUTDOWN_SECONDS"
    seconds = environment.get(key) or os.environ.get(key)
    default = ServiceSettings.model_fields["shutdown_seconds"].default
    return [
        sys.executable,
        "-m",
        "uvicorn",
        marker(service),
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--timeout-graceful-shutdown",
        str(graceful_timeout(float(seconds) if seconds else default)),
    ]


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=2).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


def start(
    layout: Layout,
    service: str,
    port: int,
    environment: Mapping[str, str],
    timeout: float = 90,
    *,
    name: str | None = None,
) -> bool:
    """Start the service and wait for `/health`; False if it was already running.

    `name` (default: the service) names its PID and log files, so a second instance
    (`notify-2`) can run beside the first on another port.
    """
    name = name or service
    pid_file = layout.pid(name)
    if running_pid(pid_file, marker(service)) is not None:
        return False
    log = layout.log(name)
    pid = spawn(
        command(service, port, environment),
        log=log,
        cwd=layout.root,
        env={**os.environ, **environment},
    )
    write_pid(pid_file, pid)
    try:
        wait_until(
            lambda: _healthy(url(port)),
            what=name,
            timeout=timeout,
            alive=lambda: running_pid(pid_file, marker(service)) is not None,
            log=log,
        )
    except StackError:
        stop(pid, marker(service))
        raise
    return True
