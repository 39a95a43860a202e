"""The Kafka broker and PostgreSQL server tests run against, found or started on demand.

`resolve_infrastructure` tries, in order:

1. `KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` from the environment (`make test`
   exports them, with the operator's sign-in `KAFKA_SASL_USERNAME`...). They must
   answer: an explicit setting that does not is an error.
2. `.local/stack.env` of a running local stack, if both still answer.
3. Kafka and PostgreSQL containers, when a Docker engine answers.
4. The local stack's PostgreSQL and Kafka, started here (`motcua-stack up --infra`);
   they keep running after the tests, like after `make up-infra`.

It never skips: without a broker and a database, tests must fail, in CI above all.
The per-test databases and topics on them are the common package's `motcua.testing`
(`create_database`, `create_topics`...); `motcua_devstack.pytest_plugin` hands what is
resolved here to its fixtures.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from dataclasses import dataclass

from motcua.events.topics import SERVICES, all_topics
from motcua.settings import KafkaSettings
from motcua.stackenv import read_env
from motcua_devstack import kafka, postgres
from motcua_devstack.blocking import run_blocking
from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout
from motcua_devstack.stack import Stack

__all__ = ["Infrastructure", "InfrastructureUnavailable", "resolve_infrastructure"]

KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"
DATABASE_ENV = "DATABASE_URL"
_KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
_POSTGRES_IMAGE = "postgres:15"


@dataclass(frozen=True, slots=True)
class Infrastructure:
    """Where the tests find Kafka and PostgreSQL."""

    kafka: KafkaSettings
    """The broker, signed in as the operator where it asks for a sign-in."""
    database_url: str
    """SQLAlchemy URL of the server without a database; append `/<name>`."""
    source: str = "environment"


class InfrastructureUnavailable(RuntimeError):
    """Neither a configured, a running, a containerised nor a local stack could be used."""


def _answers(infrastructure: Infrastructure) -> str | None:
    """None when both answer, else what does not."""
    if not run_blocking(kafka.ping(infrastructure.kafka)):
        return f"no Kafka broker answers on {infrastructure.kafka.bootstrap_servers}"
    if not run_blocking(postgres.ping(infrastructure.database_url)):
        return f"no PostgreSQL answers on {infrastructure.database_url}"
    return None


def _from_environment() -> Infrastructure | None:
    bootstrap, database = os.environ.get(KAFKA_ENV), os.environ.get(DATABASE_ENV)
    if not bootstrap and not database:
        return None
    if not bootstrap or not database:
        raise InfrastructureUnavailable(f"set both {KAFKA_ENV} and {DATABASE_ENV}, or neither")
    infrastructure = Infrastructure(KafkaSettings.from_environment(), database, "environment")
    if failure := _answers(infrastructure):
        raise InfrastructureUnavailable(f"{failure} (from {KAFKA_ENV}/{DATABASE_ENV})")
    return infrastructure


def _from_stack_env(layout: Layout) -> Infrastructure | str:
    values = read_env(layout.env_file)
    if KAFKA_ENV not in values or DATABASE_ENV not in values:
        return f"no running local stack ({layout.env_file} has no {KAFKA_ENV}/{DATABASE_ENV})"
    settings = KafkaSettings.from_environment(values)
    infrastructure = Infrastructure(settings, values[DATABASE_ENV], "local stack")
    return _answers(infrastructure) or infrastructure


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
    except Exception:
        return False
    return True


def _from_containers() -> Infrastructure:
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.postgres import PostgresContainer

    broker = KafkaContainer(_KAFKA_IMAGE).with_kraft()
    atexit.register(broker.stop)
    broker.start()
    # A throwaway server that lives as long as this test session.
    database = PostgresContainer(_POSTGRES_IMAGE, username="motcua", password="motcua")  # noqa: S106
    atexit.register(database.stop)
    database.start()
    host, port = database.get_container_host_ip(), database.get_exposed_port(5432)
    infrastructure = Infrastructure(
        KafkaSettings(bootstrap_servers=broker.get_bootstrap_server()),
        f"postgresql+asyncpg://motcua:motcua@{host}:{port}",
        "containers",
    )
    _provision(infrastructure)
    return infrastructure


def _from_local_stack(layout: Layout) -> Infrastructure:
    environment = Stack(layout, report=lambda _line: None).up(infra_only=True)
    settings = KafkaSettings.from_environment(environment)
    return Infrastructure(settings, environment[DATABASE_ENV], "started stack")


def _provision(infrastructure: Infrastructure) -> None:
    """What the local stack provides as well: the services' databases, every topic."""
    run_blocking(postgres.ensure_databases(infrastructure.database_url, SERVICES))
    run_blocking(kafka.ensure_topics(infrastructure.kafka, all_topics()))


def resolve_infrastructure(layout: Layout | None = None) -> Infrastructure:
    """A Kafka broker and a PostgreSQL server that answer, or `InfrastructureUnavailable`."""
    configured = _from_environment()
    if configured is not None:
        return configured
    tried: list[str] = []
    try:
        layout = layout or Layout.discover()
    except StackError as error:
        tried.append(str(error))
        layout = None
    if layout is not None:
        running = _from_stack_env(layout)
        if isinstance(running, Infrastructure):
            return running
        tried.append(running)
    attempts: list[tuple[str, Callable[[], Infrastructure]]] = []
    if _docker_answers():
        attempts.append(("containers", _from_containers))
    else:
        tried.append("no Docker engine answers, so no containers")
    if layout is not None:
        stack_layout = layout
        attempts.append(("local stack", lambda: _from_local_stack(stack_layout)))
    for name, attempt in attempts:
        try:
            return attempt()
        except Exception as error:
            tried.append(f"{name}: {error}")
    raise InfrastructureUnavailable(
        "no Kafka and PostgreSQL for the tests:\n- " + "\n- ".join(tried) + "\n"
        f"Start them with `make up-infra`, or set {KAFKA_ENV} and {DATABASE_ENV}."
    )
