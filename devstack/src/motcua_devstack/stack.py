"""The local stack as a whole: `up`, `down`, `status` and the environment it offers."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from motcua.events.topics import SERVICES, all_topics
from motcua_devstack import kafka, postgres, prometheus, services, sinks
from motcua_devstack.blocking import run_blocking
from motcua_devstack.credentials import credentials, operator_kafka_env, service_credentials
from motcua_devstack.envfile import write_env
from motcua_devstack.layout import Layout
from motcua_devstack.ports import HOST, ensure_free, load_ports
from motcua_devstack.processes import running_pid, stop

__all__ = ["INFRA", "ComponentStatus", "Stack", "instance_of"]

INFRA = ("postgres", "kafka")


def _marker(component: str) -> str:
    """What the command line of a component started by the stack contains."""
    fixed = {"kafka": kafka.MARKER, "prometheus": prometheus.MARKER, **sinks.MARKERS}
    return fixed.get(component) or services.marker(instance_of(component))


def instance_of(component: str) -> str:
    """The service a component runs: `notify-2` (a second instance) runs notify."""
    service, _, number = component.rpartition("-")
    return service if service in SERVICES and number.isdigit() else component


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    """One line of `motcua-stack status`."""

    name: str
    state: str
    pid: int | None
    address: str


class Stack:
    """The processes of the local stack, tracked through `.local/` of one checkout."""

    def __init__(self, layout: Layout, report: Callable[[str], None] = print) -> None:
        self.layout = layout
        self.report = report

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Parallel test sessions may all ask for the stack at once.
        self.layout.state.mkdir(parents=True, exist_ok=True)
        with self.layout.lock_file.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def pid(self, component: str) -> int | None:
        """The PID of a running component, None when it is not running."""
        if component == "postgres":
            return postgres.running_pid(self.layout)
        return running_pid(self.layout.pid(component), _marker(component))

    def up(
        self, *, infra_only: bool = False, clock: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """Start what is not running yet; return (and save) the stack's environment.

        `clock` (`{"MODE": "simulated", "START": ..., "SPEED": ..., "ANCHOR": ...}`) runs
        the services on a simulated clock (the demo): running services whose clock differs
        are restarted. Without it, running services keep the clock they have.
        """
        with self._locked():
            ports = load_ports(self.layout)
            wanted = [] if infra_only else [s for s in SERVICES if self._has_app(s)]
            self._check_tools(with_prometheus=not infra_only)
            extras = [] if infra_only else ["prometheus", *sinks.wanted(wanted)]
            self._check_ports(ports, [*INFRA, *wanted, *extras])
            self._up_postgres(ports)
            self._up_kafka(ports)
            for sink in sinks.wanted(wanted):
                self._up_sink(sink, ports)
            if clock is not None:
                self._switch_clock(dict(clock), wanted)
            for service in wanted:
                self._up_service(service, ports)
            if not infra_only:
                self._up_prometheus(ports, {s: ports[s] for s in wanted})
            environment = self.environment(ports)
            write_env(self.layout.env_file, environment)
            self.report(f"environment written to {self.layout.env_file}")
            return environment

    def _has_app(self, service: str) -> bool:
        if services.has_app(service):
            return True
        self.report(f"{service}: skipped ({services.app_module(service)} does not exist yet)")
        return False

    def _check_tools(self, *, with_prometheus: bool) -> None:
        postgres.find_bin_dir()
        kafka.find_java()
        if with_prometheus:
            prometheus.find_binary()

    def _check_ports(self, ports: dict[str, int], components: list[str]) -> None:
        """Before starting anything: the ports of what is not running yet must be free."""
        for component in components:
            if self.pid(component) is not None:
                continue
            names = ["kafka", "kafka_controller"] if component == "kafka" else [component]
            for name in names:
                ensure_free(component, ports[name], self.layout)

    def _up_postgres(self, ports: dict[str, int]) -> None:
        address = f"{HOST}:{ports['postgres']}"
        if self.pid("postgres") is None:
            postgres.start(self.layout, ports["postgres"])
            self.report(f"postgres: started on {address}")
        else:
            self.report(f"postgres: already running on {address}")
        created = run_blocking(
            postgres.ensure_databases(postgres.base_url(ports["postgres"]), SERVICES)
        )
        if created:
            self.report(f"postgres: created databases {', '.join(created)}")

    def _up_kafka(self, ports: dict[str, int]) -> None:
        address = f"{HOST}:{ports['kafka']}"
        if self.pid("kafka") is not None and not kafka.signs_in(
            self.layout, credentials(self.layout)
        ):
            self.report(
                "kafka: restarting with sign-in (SCRAM) and ACLs; its storage is formatted "
                "again, so its topics start empty, and the services restart to sign in"
            )
            running = [f.stem for f in self.layout.pids.glob("*.pid")]
            for component in running:
                if instance_of(component) in SERVICES:
                    self._stop(component)
            self._stop("kafka")
        if self.pid("kafka") is None:
            if kafka.ensure_jars(self.layout):
                self.report(f"kafka: fetched the broker jars into {self.layout.kafka_libs}")
            kafka.start(
                self.layout, ports["kafka"], ports["kafka_controller"], credentials(self.layout)
            )
            self.report(f"kafka: started on {address}")
        else:
            self.report(f"kafka: already running on {address}")
        admin = kafka.admin_settings(ports["kafka"], credentials(self.layout))
        created = run_blocking(kafka.ensure_topics(admin, all_topics()))
        if created:
            self.report(f"kafka: created {len(created)} topics")

    def _up_service(self, service: str, ports: dict[str, int], name: str | None = None) -> None:
        name = name or service
        base = services.url(ports[name])
        if self.pid(name) is not None:
            self.report(f"{name}: already running on {base}")
            return
        environment = services.service_env(
            service,
            ports[name],
            postgres.base_url(ports["postgres"]),
            f"{HOST}:{ports['kafka']}",
        )
        environment |= service_credentials(service, credentials(self.layout))
        if service == "notify":
            environment |= sinks.notify_env(ports)
        if service == "portal":
            environment |= sinks.portal_env(ports)
        clock = self._clock()
        environment |= {f"{service.upper()}_CLOCK__{key}": value for key, value in clock.items()}
        services.start(self.layout, service, ports[name], environment, name=name)
        on = f" on a {clock['MODE']} clock x{clock.get('SPEED')}" if clock else ""
        self.report(f"{name}: started on {base}{on}")

    def start(self, component: str) -> str:
        """Start one component that is not running (a service, `notify-2`, a sink, `kafka`
        or `postgres`) with the stack's settings; return its address."""
        with self._locked():
            ports = load_ports(self.layout, extra=[component])
            if component == "postgres":
                self._up_postgres(ports)
            elif component == "kafka":
                self._up_kafka(ports)
            elif component in sinks.SINKS:
                self._up_sink(component, ports)
            else:
                self._up_service(instance_of(component), ports, component)
            return f"{HOST}:{ports[component]}"

    def signal(self, component: str, signum: int) -> int | None:
        """Send a signal to a component this stack started (by its PID, the whole process
        group when it leads one); return the PID, None when it was not running."""
        pid = self.pid(component)
        if pid is None:
            return None
        leader = os.getpgid(pid) == pid
        (os.killpg if leader else os.kill)(pid, signum)
        return pid

    def stop(self, component: str) -> None:
        """Stop one component the stack started (`pg_ctl stop -m fast` for PostgreSQL)."""
        with self._locked():
            if component == "postgres":
                postgres.stop(self.layout)
            else:
                self._stop(component)

    def _up_sink(self, sink: str, ports: dict[str, int]) -> None:
        address = f"{HOST}:{ports[sink]}"
        started = sinks.start(self.layout, sink, ports[sink])
        self.report(f"{sink}: {'started' if started else 'already running'} on {address}")

    @property
    def _clock_file(self) -> Path:
        return self.layout.state / "clock.json"

    def _clock(self) -> dict[str, str]:
        """The clock the services run on (empty: the system clock)."""
        if not self._clock_file.is_file():
            return {}
        loaded: dict[str, str] = json.loads(self._clock_file.read_text())
        return loaded

    def _switch_clock(self, clock: dict[str, str], wanted: list[str]) -> None:
        if clock == self._clock():
            return
        for service in wanted:
            self._stop(service)
        self._clock_file.write_text(json.dumps(clock))

    def _up_prometheus(self, ports: dict[str, int], targets: dict[str, int]) -> None:
        done = prometheus.start(self.layout, ports["prometheus"], targets)
        self.report(f"prometheus: {done} on http://{HOST}:{ports['prometheus']}")

    def environment(self, ports: dict[str, int]) -> dict[str, str]:
        """`KEY=VALUE` pairs of the running components, as written to `.local/stack.env`."""
        environment: dict[str, str] = {}
        if self.pid("kafka") is not None:
            environment["KAFKA_BOOTSTRAP_SERVERS"] = f"{HOST}:{ports['kafka']}"
            environment |= operator_kafka_env(credentials(self.layout))
        if self.pid("postgres") is not None:
            environment["DATABASE_URL"] = postgres.base_url(ports["postgres"])
        for service in SERVICES:
            if self.pid(service) is not None:
                environment[f"{service.upper()}_URL"] = services.url(ports[service])
        if self.pid("dvcqg") is not None:
            environment["DVCQG_FAKE_URL"] = f"http://{HOST}:{ports['dvcqg']}"
        if self.pid("prometheus") is not None:
            environment["PROMETHEUS_URL"] = f"http://{HOST}:{ports['prometheus']}"
        if self.pid("intake") is not None:
            values = credentials(self.layout)
            environment["DEMO_API_KEY"] = values["demo_api_key"]
            environment["INTAKE_ADMIN_KEY"] = values["intake_admin_key"]
            environment["OPERATOR_TOKEN"] = values["operator_token"]
        return environment

    def down(self, *, purge: bool = False) -> None:
        """Stop every process the stack started; with `purge`, delete its state as well."""
        with self._locked():
            for component in [*SERVICES, *sinks.SINKS, "prometheus", "kafka"]:
                self._stop(component)
            self._clock_file.unlink(missing_ok=True)
            if postgres.stop(self.layout):
                self.report("postgres: stopped")
            self.layout.env_file.unlink(missing_ok=True)
        if purge and self.layout.state.exists():
            shutil.rmtree(self.layout.state)
            self.report(f"purged {self.layout.state}")

    def _stop(self, component: str) -> None:
        pid = self.pid(component)
        if pid is None:
            self.layout.pid(component).unlink(missing_ok=True)
            return
        killed = stop(pid, _marker(component))
        self.layout.pid(component).unlink(missing_ok=True)
        self.report(f"{component}: {'killed' if killed else 'stopped'} (pid {pid})")

    def status(self) -> list[ComponentStatus]:
        """The state of every component."""
        ports = load_ports(self.layout) if self.layout.ports_file.is_file() else {}
        rows: list[ComponentStatus] = []
        for component in ["postgres", "kafka", *SERVICES, *sinks.SINKS, "prometheus"]:
            port = ports.get(component)
            address = f"{HOST}:{port}" if port else "-"
            pid = self.pid(component)
            if pid is not None:
                state = "running"
            elif component in SERVICES and not services.has_app(component):
                state = "no app yet"
            else:
                state = "stopped"
            rows.append(ComponentStatus(component, state, pid, address))
        return rows
