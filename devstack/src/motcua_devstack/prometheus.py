"""Prometheus of the local stack, scraping every service the stack runs."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Mapping
from typing import Any

import httpx
import yaml

from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout
from motcua_devstack.ports import HOST
from motcua_devstack.processes import running_pid, spawn, stop, wait_until, write_pid

__all__ = ["MARKER", "find_binary", "render_config", "start"]

MARKER = "prometheus"
SCRAPE_INTERVAL = "5s"


def find_binary() -> str:
    """The `prometheus` executable."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise StackError("Prometheus is not installed: run: apt-get install -y prometheus")
    return binary


def render_config(layout: Layout, port: int, services: Mapping[str, int]) -> dict[str, Any]:
    """The configuration: the services' /metrics as static targets, deploy's rule files."""
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL},
        "rule_files": [str(layout.prometheus_rules / "*.yml")],
        "scrape_configs": [
            {
                "job_name": "prometheus",
                "static_configs": [{"targets": [f"{HOST}:{port}"]}],
            },
            {
                "job_name": "services",
                "metrics_path": "/metrics",
                "static_configs": [
                    {"targets": [f"{HOST}:{service_port}"], "labels": {"service": name}}
                    for name, service_port in services.items()
                ],
            },
        ],
    }


def _write_config(layout: Layout, config: dict[str, Any]) -> bool:
    text = yaml.safe_dump(config, sort_keys=False)
    path = layout.prometheus_config
    if path.is_file() and path.read_text("utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=2).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


def start(layout: Layout, port: int, services: Mapping[str, int], timeout: float = 60) -> str:
    """Start Prometheus (or reload its configuration); return what was done."""
    binary = find_binary()
    changed = _write_config(layout, render_config(layout, port, services))
    pid = running_pid(layout.pid("prometheus"), MARKER)
    if pid is not None:
        if changed:
            os.kill(pid, signal.SIGHUP)
            return "reloaded"
        return "already running"
    layout.prometheus_data.mkdir(parents=True, exist_ok=True)
    command = [
        binary,
        f"--config.file={layout.prometheus_config}",
        f"--storage.tsdb.path={layout.prometheus_data}",
        f"--web.listen-address={HOST}:{port}",
        "--storage.tsdb.retention.time=7d",
    ]
    log = layout.log("prometheus")
    pid = spawn(command, log=log, cwd=layout.prometheus, env=os.environ)
    write_pid(layout.pid("prometheus"), pid)
    try:
        wait_until(
            lambda: _ready(f"http://{HOST}:{port}"),
            what="prometheus",
            timeout=timeout,
            alive=lambda: running_pid(layout.pid("prometheus"), MARKER) is not None,
            log=log,
        )
    except StackError:
        stop(pid, MARKER)
        raise
    return "started"
