"""The chaos suite's own local stack, in `.local-chaos/`: its ports, PostgreSQL cluster,
Kafka broker and services; faults only ever hit processes it started (by PID)."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

from motcua.events.topics import SERVICES
from motcua.settings import KafkaSettings
from motcua.stackenv import read_env
from motcua_devstack.layout import STATE_ENV, Layout
from motcua_devstack.ports import HOST, load_ports
from motcua_devstack.services import url
from motcua_devstack.stack import Stack

STATE_DIR = ".local-chaos"


@dataclass(frozen=True, slots=True)
class Instance:
    """One running copy of a service: `notify` or `notify-2`."""

    name: str
    service: str
    url: str


class ChaosStack:
    """Starts, faults and stops the components of the chaos stack."""

    def __init__(self, instances: int, report: object = print) -> None:
        os.environ[STATE_ENV] = STATE_DIR
        self.layout = Layout.discover()
        self.stack = Stack(self.layout, report=lambda line: print(f"  {line}", flush=True))
        self.names = [
            s if n == 1 else f"{s}-{n}" for s in SERVICES for n in range(1, instances + 1)
        ]

    def up(self, clock: dict[str, str]) -> dict[str, str]:
        """A fresh stack (state purged), every instance started; returns the environment."""
        self.stack.down(purge=True)
        environment = self.stack.up(clock=clock)
        for name in self.names:
            if "-" in name:
                self.stack.start(name)
        return environment

    def down(self) -> None:
        """Stop every process of the chaos stack (its state stays for inspection)."""
        for name in self.names:
            if "-" in name:
                self.stack.stop(name)
        self.stack.down()

    def instances(self) -> list[Instance]:
        """Every service instance with its base URL."""
        ports = load_ports(self.layout, extra=self.names)
        return [Instance(n, n.split("-")[0], url(ports[n])) for n in self.names]

    def kafka(self) -> KafkaSettings:
        """The stack's broker, signed in as its operator."""
        return KafkaSettings.from_environment(read_env(self.layout.env_file))

    def database(self, service: str) -> str:
        """A plain asyncpg DSN of a service's database."""
        return f"postgresql://motcua@{HOST}:{load_ports(self.layout)['postgres']}/{service}"

    def kill(self, name: str) -> None:
        """SIGKILL an instance and wait until the kernel has taken it away."""
        self.stack.signal(name, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.stack.pid(name) is not None and time.monotonic() < deadline:
            time.sleep(0.05)

    def freeze(self, name: str) -> None:
        self.stack.signal(name, signal.SIGSTOP)

    def thaw(self, name: str) -> None:
        self.stack.signal(name, signal.SIGCONT)

    def restart(self, component: str) -> None:
        """Stop Kafka or PostgreSQL the way an operator would, then start it again."""
        self.stack.stop(component)
        self.stack.start(component)
