"""The command-line tools find the local stack by themselves and fail in one line."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from motcua.settings import KafkaSettings
from motcua.stackenv import load_stack_env
from motcua_devstack.envfile import write_env
from motcua_devstack.layout import ROOT_ENV, STATE_ENV

BIN = Path(sys.executable).parent
STACK_VARIABLES = ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", ROOT_ENV, STATE_ENV)


def _checkout(root: Path, values: dict[str, str]) -> Path:
    """A throwaway checkout whose local stack wrote `values` to `.local/stack.env`."""
    (root / "uv.lock").write_text("")
    write_env(root / ".local" / "stack.env", values)
    inside = root / "services" / "tracking"
    inside.mkdir(parents=True)
    return inside


def _run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in STACK_VARIABLES and "__" not in k and not k.startswith("KAFKA_")
    }
    executable = shutil.which(tool, path=str(BIN))
    assert executable, f"{tool} is not installed in {BIN}"
    return subprocess.run(
        [executable, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.infra
def test_motcua_dlq_reads_the_stack_env_from_a_subfolder(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    inside = _checkout(tmp_path, kafka_settings.environment())

    done = _run("motcua-dlq", "list", "tracking", cwd=inside)

    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("dead letter(s) waiting")


def test_motcua_dlq_without_a_broker_says_so_in_one_line(tmp_path: Path) -> None:
    bootstrap = f"127.0.0.1:{_closed_port()}"
    inside = _checkout(tmp_path, {"KAFKA_BOOTSTRAP_SERVERS": bootstrap})

    done = _run("motcua-dlq", "list", "tracking", cwd=inside)

    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"motcua-dlq: Kafka at {bootstrap} is not reachable")


def test_motcua_tracking_without_a_database_says_so_in_one_line(tmp_path: Path) -> None:
    database = f"postgresql+asyncpg://motcua@127.0.0.1:{_closed_port()}"
    inside = _checkout(tmp_path, {"DATABASE_URL": database})
    decision = inside / "2026.json"
    decision.write_bytes(
        files("motcua_tracking.domain").joinpath("decisions/2026.json").read_bytes()
    )

    done = _run("motcua-tracking", "load-decision", str(decision), cwd=inside)

    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("motcua-tracking: ")
    assert "Connect call failed" in done.stderr


def test_variables_already_set_win_over_the_stack_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in STACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    inside = _checkout(
        tmp_path,
        {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "DATABASE_URL": "postgresql+asyncpg://m@h:1"},
    )
    monkeypatch.chdir(inside)
    environ = {"KAFKA_BOOTSTRAP_SERVERS": "broker:9092"}

    found = load_stack_env("tracking", environ)

    assert found == tmp_path / ".local" / "stack.env"
    assert environ == {
        "KAFKA_BOOTSTRAP_SERVERS": "broker:9092",
        "DATABASE_URL": "postgresql+asyncpg://m@h:1",
        "TRACKING_DATABASE__URL": "postgresql+asyncpg://m@h:1/tracking",
        "TRACKING_KAFKA__BOOTSTRAP_SERVERS": "broker:9092",
    }


@pytest.mark.infra
def test_kafka_topics_from_the_jars_finds_the_stack_by_itself(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    wrapper = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "bin" / "kafka-topics"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    environment[STATE_ENV] = str(tmp_path)
    write_env(tmp_path / "stack.env", kafka_settings.environment())

    done = subprocess.run(
        [str(wrapper), "--list"], env=environment, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert {"intake.dossier-events.v1", "tracking.dlq.v1"} <= set(done.stdout.split())
