"""Where the local stack keeps its state: `.local/` under the repository root.

`$MOTCUA_STATE_DIR` (relative to the root, or absolute) puts a second, independent
stack elsewhere, e.g. the chaos suite's `.local-chaos/` with its own ports, cluster
and broker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from motcua import stackenv
from motcua.stackenv import DEFAULT_STATE_DIR, ENV_FILE, ROOT_ENV, STATE_ENV
from motcua_devstack.errors import StackError

__all__ = ["ROOT_ENV", "STATE_ENV", "Layout", "find_root"]


def find_root(start: Path | None = None) -> Path:
    """The repository root (`motcua.stackenv.find_root`); StackError when there is none."""
    try:
        return stackenv.find_root(start)
    except stackenv.NoCheckout as error:
        raise StackError(str(error)) from error


@dataclass(frozen=True, slots=True)
class Layout:
    """Paths of the stack's state (git-ignored) and of the checked-in configuration."""

    root: Path
    state_dir: str = DEFAULT_STATE_DIR

    @classmethod
    def discover(cls, start: Path | None = None) -> Layout:
        """The layout of the repository holding `start` (default: the working directory),
        with its state in `$MOTCUA_STATE_DIR` when set."""
        return cls(find_root(start), stackenv.state_dir())

    @property
    def state(self) -> Path:
        return self.root / self.state_dir

    @property
    def pg(self) -> Path:
        return self.state / "pg"

    @property
    def pg_data(self) -> Path:
        return self.pg / "data"

    @property
    def pg_sockets(self) -> Path:
        return self.pg / "run"

    @property
    def kafka(self) -> Path:
        return self.state / "kafka"

    @property
    def kafka_data(self) -> Path:
        return self.kafka / "data"

    @property
    def kafka_properties(self) -> Path:
        return self.kafka / "server.properties"

    @property
    def prometheus(self) -> Path:
        return self.state / "prometheus"

    @property
    def prometheus_config(self) -> Path:
        return self.prometheus / "prometheus.yml"

    @property
    def prometheus_data(self) -> Path:
        return self.prometheus / "data"

    @property
    def mail(self) -> Path:
        """The Maildir the local mail sink stores notify's messages in."""
        return self.state / "mail"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def pids(self) -> Path:
        return self.state / "pids"

    @property
    def ports_file(self) -> Path:
        return self.state / "ports.json"

    @property
    def env_file(self) -> Path:
        return self.state / ENV_FILE

    @property
    def lock_file(self) -> Path:
        return self.state / "stack.lock"

    @property
    def kafka_deploy(self) -> Path:
        return self.root / "deploy" / "kafka"

    @property
    def kafka_libs(self) -> Path:
        return self.kafka_deploy / "target" / "libs"

    @property
    def prometheus_rules(self) -> Path:
        return self.root / "deploy" / "prometheus" / "rules"

    def log(self, component: str) -> Path:
        """The log file of a component."""
        return self.logs / f"{component}.log"

    def pid(self, component: str) -> Path:
        """The PID file of a component the stack started."""
        return self.pids / f"{component}.pid"
