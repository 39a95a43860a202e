"""The single-node KRaft Kafka broker of the local stack, from the jars of deploy/kafka.

Clients sign in with SCRAM (`motcua.messaging.access` names the principals and their
ACLs): the users are written when the storage is formatted, the ACLs applied with Kafka's
own tool once the broker answers, and again whenever their definition changes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from string import Template

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from motcua.events.topics import TopicSpec
from motcua.messaging import provisioning
from motcua.messaging.access import PRINCIPALS, grants
from motcua.settings import KafkaSettings
from motcua_devstack.blocking import run_blocking
from motcua_devstack.credentials import KAFKA_BROKER, KAFKA_CONTROLLER, kafka_password
from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout
from motcua_devstack.ports import HOST
from motcua_devstack.processes import running_pid, spawn, stop, wait_until, write_pid

__all__ = [
    "MARKER",
    "admin_settings",
    "ensure_jars",
    "ensure_topics",
    "find_java",
    "jars_current",
    "ping",
    "render_properties",
    "signs_in",
    "start",
]

MARKER = "kafka.Kafka"
_PING_SECONDS = 5.0
_HEAP = ["-Xms512m", "-Xmx1g"]
_JVM = ["-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"]


def find_java() -> str:
    """The `java` executable (17 or later)."""
    java = shutil.which("java")
    if java is None:
        raise StackError("java is not installed: run: apt-get install -y openjdk-17-jre-headless")
    return java


def _pom_digest(layout: Layout) -> str:
    return hashlib.sha256((layout.kafka_deploy / "pom.xml").read_bytes()).hexdigest()


def _stamp(layout: Layout) -> Path:
    return layout.kafka_libs / ".pom.sha256"


def jars_current(layout: Layout) -> bool:
    """Whether target/libs holds the jars of the current pom.xml."""
    stamp = _stamp(layout)
    has_broker = any(layout.kafka_libs.glob("kafka_2.13-*.jar"))
    return has_broker and stamp.is_file() and stamp.read_text().strip() == _pom_digest(layout)


def ensure_jars(layout: Layout) -> bool:
    """Fetch the broker jars with Maven unless those of pom.xml are there; True if fetched."""
    if jars_current(layout):
        return False
    maven = shutil.which("mvn")
    if maven is None:
        raise StackError(
            f"the Kafka jars are missing from {layout.kafka_libs} and Maven is needed "
            "to fetch them: run: apt-get install -y maven"
        )
    # copy-dependencies never deletes: jars of an older pom.xml would stay on the classpath.
    shutil.rmtree(layout.kafka_libs, ignore_errors=True)
    pom = layout.kafka_deploy / "pom.xml"
    done = subprocess.run(  # noqa: S603
        [maven, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies"],
        cwd=layout.root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not any(layout.kafka_libs.glob("kafka_2.13-*.jar")):
        raise StackError(f"kafka: Maven could not fetch the jars:\n{done.stdout}{done.stderr}")
    _stamp(layout).write_text(_pom_digest(layout) + "\n")
    return True


def render_properties(
    layout: Layout, port: int, controller_port: int, secrets: Mapping[str, str]
) -> str:
    """server.properties for the broker, from deploy/kafka/server.properties.template."""
    template = Template((layout.kafka_deploy / "server.properties.template").read_text("utf-8"))
    return template.substitute(
        port=port,
        controller_port=controller_port,
        log_dirs=layout.kafka_data,
        broker_password=kafka_password(dict(secrets), KAFKA_BROKER),
        controller_password=kafka_password(dict(secrets), KAFKA_CONTROLLER),
    )


def _cluster_id() -> str:
    # Kafka's Uuid.randomUuid: URL-safe base64 of 16 random bytes, never starting with "-".
    while True:
        encoded = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not encoded.startswith("-"):
            return encoded


def _classpath(layout: Layout) -> str:
    return f"{layout.kafka_libs}/*"


def _users_stamp(layout: Layout) -> Path:
    return layout.kafka / "users.json"


def _users(secrets: Mapping[str, str]) -> dict[str, str]:
    return {user: kafka_password(dict(secrets), user) for user in (*PRINCIPALS, KAFKA_BROKER)}


def _users_digest(secrets: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(_users(secrets), sort_keys=True).encode()).hexdigest()


def signs_in(layout: Layout, secrets: Mapping[str, str]) -> bool:
    """Whether the broker's storage was formatted with the SCRAM users of `secrets` (a
    broker of an older stack, formatted before sign-in existed, was not)."""
    stamp = _users_stamp(layout)
    return stamp.is_file() and stamp.read_text() == _users_digest(secrets)


def _format_storage(layout: Layout, java: str, secrets: Mapping[str, str]) -> None:
    users = _users(secrets)
    digest = _users_digest(secrets)
    if (layout.kafka_data / "meta.properties").is_file():
        if signs_in(layout, secrets):
            return
        # Formatted before sign-in existed (or with other users): SCRAM users can only be
        # written by formatting, so the local broker starts over with empty topics.
        shutil.rmtree(layout.kafka_data)
    layout.kafka_data.mkdir(parents=True, exist_ok=True)
    command = [java, "-cp", _classpath(layout), "kafka.tools.StorageTool", "format"]
    args = ["-t", _cluster_id(), "-c", str(layout.kafka_properties), "--ignore-formatted"]
    for user, password in users.items():
        args += ["--add-scram", f"SCRAM-SHA-512=[name={user},password={password}]"]
    done = subprocess.run(  # noqa: S603
        [*command, *args],
        cwd=layout.kafka,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise StackError(
            f"kafka: formatting {layout.kafka_data} failed:\n{done.stdout}{done.stderr}"
        )
    _users_stamp(layout).write_text(digest)
    _acls_stamp(layout).unlink(missing_ok=True)


def _acls_stamp(layout: Layout) -> Path:
    return layout.kafka / "acls.sha256"


def _apply_acls(layout: Layout, java: str, bootstrap: str, secrets: Mapping[str, str]) -> None:
    """Add every ACL of `motcua.messaging.access` unless those of this definition are there.

    One `AclCommand` per grant, run side by side (each is a JVM start), signed in as the
    broker's own principal."""
    wanted = [grant.arguments() for grant in grants()]
    digest = hashlib.sha256(json.dumps(wanted).encode()).hexdigest()
    if _acls_stamp(layout).is_file() and _acls_stamp(layout).read_text() == digest:
        return
    password = kafka_password(dict(secrets), KAFKA_BROKER)
    with tempfile.NamedTemporaryFile("w", dir=layout.kafka, suffix=".properties") as config:
        config.write(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
            f'required username="{KAFKA_BROKER}" password="{password}";\n'
        )
        config.flush()
        base = [java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", _classpath(layout)]
        base += ["org.apache.kafka.tools.AclCommand", "--bootstrap-server", bootstrap]
        base += ["--command-config", config.name]
        running = [
            subprocess.Popen(  # noqa: S603
                [*base, *arguments],
                cwd=layout.kafka,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for arguments in wanted
        ]
        failures = []
        for process, arguments in zip(running, wanted, strict=True):
            output, _ = process.communicate()
            if process.returncode != 0:
                failures.append(f"{' '.join(arguments)}:\n{output}")
    if failures:
        raise StackError("kafka: could not add ACLs:\n" + "\n".join(failures))
    _acls_stamp(layout).write_text(digest)


def admin_settings(port: int, secrets: Mapping[str, str]) -> KafkaSettings:
    """Settings signing in to the local broker as its own super user (the stack's tools)."""
    return KafkaSettings.model_validate(
        {
            "bootstrap_servers": f"{HOST}:{port}",
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_username": KAFKA_BROKER,
            "sasl_password": kafka_password(dict(secrets), KAFKA_BROKER),
        }
    )


def start(
    layout: Layout,
    port: int,
    controller_port: int,
    secrets: Mapping[str, str],
    timeout: float = 120.0,
) -> bool:
    """Start the broker, wait until it answers and apply the ACLs; False if it was already
    running."""
    if running_pid(layout.pid("kafka"), MARKER) is not None:
        return False
    java = find_java()
    ensure_jars(layout)
    layout.kafka.mkdir(parents=True, exist_ok=True)
    layout.kafka_properties.write_text(render_properties(layout, port, controller_port, secrets))
    layout.kafka_properties.chmod(0o600)
    _format_storage(layout, java, secrets)
    log_config = layout.kafka_deploy / "log4j2.yaml"
    command = [
        java,
        *_HEAP,
        *_JVM,
        f"-Dlog4j2.configurationFile={log_config}",
        "-cp",
        _classpath(layout),
        MARKER,
        str(layout.kafka_properties),
    ]
    log = layout.log("kafka")
    pid = spawn(command, log=log, cwd=layout.kafka, env=os.environ)
    write_pid(layout.pid("kafka"), pid)
    admin = admin_settings(port, secrets)
    try:
        wait_until(
            lambda: run_blocking(ping(admin)),
            what="kafka",
            timeout=timeout,
            alive=lambda: running_pid(layout.pid("kafka"), MARKER) is not None,
            log=log,
        )
        _apply_acls(layout, java, admin.bootstrap_servers, secrets)
    except StackError:
        stop(pid, MARKER)
        raise
    return True


async def _accepts_connections(bootstrap_servers: str) -> bool:
    host, _, port = bootstrap_servers.split(",")[0].rpartition(":")
    try:
        async with asyncio.timeout(_PING_SECONDS):
            _, writer = await asyncio.open_connection(host, int(port))
    except (OSError, TimeoutError, ValueError):
        return False
    writer.close()
    return True


async def ping(settings: KafkaSettings) -> bool:
    """Whether the broker answers a metadata request and knows its controller."""
    # A plain connect first: the admin client logs every refused connection.
    if not await _accepts_connections(settings.bootstrap_servers):
        return False
    admin = AIOKafkaAdminClient(
        **settings.client_options(), request_timeout_ms=int(_PING_SECONDS * 1000)
    )
    try:
        async with asyncio.timeout(_PING_SECONDS):
            await admin.start()
            await admin.describe_cluster()
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await admin.close()
    return True


async def ensure_topics(
    settings: KafkaSettings, specs: Iterable[TopicSpec], attempts: int = 5
) -> list[str]:
    """Create the topics that do not exist yet (one replica); return the names created."""
    try:
        return await provisioning.ensure_topics(settings, specs, attempts=attempts)
    except provisioning.TopicError as error:
        raise StackError(f"kafka: {error}") from error
