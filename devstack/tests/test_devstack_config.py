from __future__ import annotations

import subprocess

import yaml

from motcua.stackenv import read_env
from motcua_devstack import kafka, prometheus, services
from motcua_devstack.envfile import write_env
from motcua_devstack.layout import Layout

SECRETS = {"kafka_broker_password": "broker-secret", "kafka_controller_password": "c-secret"}


def test_broker_properties_listen_on_the_kept_ports(layout: Layout) -> None:
    text = kafka.render_properties(layout, port=21001, controller_port=21002, secrets=SECRETS)
    properties = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )

    assert properties["listeners"] == (
        "SASL_PLAINTEXT://127.0.0.1:21001,CONTROLLER://127.0.0.1:21002"
    )
    assert properties["controller.quorum.voters"] == "1@127.0.0.1:21002"
    assert properties["log.dirs"] == str(layout.kafka_data)
    assert properties["auto.create.topics.enable"] == "false"


def test_the_broker_lets_nobody_in_without_signing_in_and_an_acl(layout: Layout) -> None:
    text = kafka.render_properties(layout, port=21001, controller_port=21002, secrets=SECRETS)
    properties = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )

    assert "PLAINTEXT:PLAINTEXT" not in properties["listener.security.protocol.map"]
    assert properties["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert properties["allow.everyone.if.no.acl.found"] == "false"
    assert properties["super.users"] == "User:broker;User:controller"
    assert (
        'password="broker-secret"'
        in properties["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"]
    )


def test_prometheus_scrapes_each_service_with_its_name(layout: Layout) -> None:
    config = prometheus.render_config(layout, 29090, {"intake": 21010, "notify": 21011})

    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {
        group["labels"]["service"]: group["targets"] for group in jobs["services"]["static_configs"]
    }
    assert targets == {"intake": ["127.0.0.1:21010"], "notify": ["127.0.0.1:21011"]}
    assert config["rule_files"] == [str(layout.prometheus_rules / "*.yml")]


def test_the_generated_prometheus_configuration_and_rules_are_valid(tmp_path) -> None:
    real = Layout.discover()
    config = prometheus.render_config(real, 29090, {"intake": 21010})
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))

    checked = subprocess.run(
        ["promtool", "check", "config", str(path)], capture_output=True, text=True
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "services.yml" in checked.stdout


def test_each_service_gets_its_own_database_and_port() -> None:
    env = services.service_env("tracking", 21020, "postgresql+asyncpg://motcua@h:1", "h:2")

    assert env == {
        "TRACKING_DATABASE__URL": "postgresql+asyncpg://motcua@h:1/tracking",
        "TRACKING_KAFKA__BOOTSTRAP_SERVERS": "h:2",
        "TRACKING_HTTP__PORT": "21020",
    }


def test_the_stack_environment_survives_a_shell_round_trip(layout: Layout) -> None:
    values = {"DATABASE_URL": "postgresql+asyncpg://motcua@127.0.0.1:1", "ODD": "a b'c"}
    write_env(layout.env_file, values)

    shell = subprocess.run(
        ["bash", "-c", f'set -a; . "{layout.env_file}"; printf %s "$ODD"'],
        capture_output=True,
        text=True,
    )

    assert read_env(layout.env_file) == values
    assert shell.stdout == "a b'c"


def test_uvicorn_cancels_what_is_left_just_after_the_service_cut_its_requests_short() -> None:
    default = services.command("tracking", 21020, {})
    shorter = services.command("tracking", 21020, {"TRACKING_SHUTDOWN_SECONDS": "4"})

    assert default[default.index("--timeout-graceful-shutdown") + 1] == "6"
    assert shorter[shorter.index("--timeout-graceful-shutdown") + 1] == "3"
    assert services.marker("tracking") in default
    assert default[default.index("--port") + 1] == "21020"
