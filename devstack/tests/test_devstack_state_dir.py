"""A second stack beside the first: its own state folder, instances named after services."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua_devstack.layout import STATE_ENV, Layout
from motcua_devstack.ports import load_ports
from motcua_devstack.stack import instance_of


def test_the_state_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "uv.lock").touch()
    monkeypatch.setenv(STATE_ENV, ".local-chaos")
    layout = Layout.discover(tmp_path)
    assert layout.state == tmp_path / ".local-chaos"
    assert layout.pid("kafka").is_relative_to(tmp_path / ".local-chaos")
    monkeypatch.delenv(STATE_ENV)
    assert Layout.discover(tmp_path).state == tmp_path / ".local"


def test_a_second_instance_gets_its_own_kept_port(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    first = load_ports(layout, extra=["notify-2"])
    assert first["notify-2"] not in {v for k, v in first.items() if k != "notify-2"}
    assert load_ports(layout, extra=["notify-2"]) == first


def test_an_instance_runs_its_service() -> None:
    assert instance_of("notify-2") == "notify"
    assert instance_of("notify") == "notify"
    assert instance_of("kafka") == "kafka"
