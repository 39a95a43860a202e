"""The Kubernetes overlays render, validate against the bundled Kubernetes schemas, and
give every service an environment its settings accept in production mode."""

from __future__ import annotations

import copy
import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
VERSION = "1.31"
SERVICES = {"intake", "tracking", "scoring", "notify", "portal"}


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("k8s_tool", ROOT / "tools" / "k8s.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


k8s = _tool()
RENDERED = {overlay: k8s.render(overlay) for overlay in ("dev", "production")}


def _of(kind: str, overlay: str = "production") -> list[dict]:
    return [d for d in RENDERED[overlay] if d["kind"] == kind]


@pytest.mark.parametrize("overlay", sorted(RENDERED))
def test_every_rendered_document_is_valid(overlay: str) -> None:
    for document in RENDERED[overlay]:
        kubernetes_validate.validate(document, VERSION, strict=True)


@pytest.mark.parametrize("overlay", sorted(RENDERED))
def test_every_service_starts_in_production_mode_with_what_the_overlay_gives(
    overlay: str,
) -> None:
    assert k8s.check(overlay) == []


def test_the_check_fails_when_a_secret_the_settings_need_is_not_provided(
    tmp_path: Path,
) -> None:
    copy_of = tmp_path / "k8s"
    shutil.copytree(K8S, copy_of)
    example = copy_of / "overlays" / "production" / "secrets.example.yaml"
    secrets = list(yaml.safe_load_all(example.read_text()))
    for secret in secrets:
        secret["stringData"].pop("TRACKING_API__LOOKUP_PEPPER", None)
        secret["stringData"].pop("NOTIFY_API__RECIPIENT_KEY", None)
        secret["stringData"].pop("INTAKE_PRIVACY__ID_PEPPER", None)
    example.write_text(yaml.safe_dump_all(secrets))

    problems = k8s.check(copy_of / "overlays" / "production")

    assert [p.split(":")[1].strip() for p in problems] == [
        "Deployment intake",
        "Deployment notify",
        "Deployment tracking",
    ]
    assert "INTAKE_PRIVACY__ID_PEPPER" in problems[0]
    assert "TRACKING_API__LOOKUP_PEPPER" in problems[2]


def test_the_check_fails_when_a_referenced_secret_is_not_documented(tmp_path: Path) -> None:
    copy_of = tmp_path / "k8s"
    shutil.copytree(K8S, copy_of)
    example = copy_of / "overlays" / "production" / "secrets.example.yaml"
    secrets = [
        s
        for s in yaml.safe_load_all(example.read_text())
        if s["metadata"]["name"] != "intake-secrets"
    ]
    example.write_text(yaml.safe_dump_all(secrets))

    problems = k8s.check(copy_of / "overlays" / "production")

    assert problems[0] == (
        "production: Deployment intake: Secret intake-secrets is neither rendered nor documented"
    )
    # Without the Secret, intake also lacks its identity-number pepper.
    assert problems[1:] == [
        "production: Deployment intake: IntakeSettings refuses: Value error, "
        "set INTAKE_PRIVACY__ID_PEPPER: the development pepper is public"
    ]


def test_production_generates_no_secret_and_dev_generates_every_one() -> None:
    assert _of("Secret") == []
    referenced = {
        ref["secretRef"]["name"]
        for d in _of("Deployment")
        for ref in d["spec"]["template"]["spec"]["containers"][0].get("envFrom", [])
    }
    documented = {
        d["metadata"]["name"] for d in k8s.provided_secrets(K8S / "overlays" / "production")
    }
    assert referenced | {"motcua-database", "motcua-kafka"} == documented
    generated = {re.sub(r"-[a-z0-9]{10}$", "", d["metadata"]["name"]) for d in _of("Secret", "dev")}
    assert generated == documented


def test_each_service_has_probes_and_never_a_simulated_clock() -> None:
    deployments = _of("Deployment")
    assert {d["metadata"]["name"] for d in deployments} == SERVICES
    for deployment in deployments:
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        env = {e["name"]: e.get("value") for e in container["env"]}
        prefix = deployment["metadata"]["name"].upper()
        assert env[f"{prefix}_CLOCK__ENVIRONMENT"] == "production"


def test_a_job_creates_the_topics_then_the_acls_with_the_services_image() -> None:
    (job,) = _of("Job")
    pod = job["spec"]["template"]["spec"]
    topics, script = pod["initContainers"]
    (acls,) = pod["containers"]
    assert topics["args"][:2] == ["motcua-topics", "create"]
    assert "motcua-topics acls" in script["command"][-1]
    assert "sh /work/acls.sh" in acls["command"][-1]
    images = {
        c["image"] for d in _of("Deployment") for c in d["spec"]["template"]["spec"]["containers"]
    }
    assert images == {topics["image"]} == {script["image"]}
    for container in (topics, acls):
        env = {e["name"]: e["valueFrom"] for e in container["env"] if "valueFrom" in e}
        assert env["KAFKA_SASL_PASSWORD"]["secretKeyRef"] == {
            "name": "motcua-kafka",
            "key": "KAFKA_ADMIN_PASSWORD",
        }


def test_each_service_signs_in_to_kafka_as_its_own_principal() -> None:
    for deployment in _of("Deployment"):
        name = deployment["metadata"]["name"]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        prefix = f"{name.upper()}_KAFKA__"
        assert env[f"{prefix}SASL_USERNAME"]["value"] == name
        assert env[f"{prefix}SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": "motcua-kafka",
            "key": f"{prefix}SASL_PASSWORD",
        }


def test_one_image_name_and_one_kafka_version_everywhere() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    builds = {name: s for name, s in compose["services"].items() if "build" in s}
    # The fake national portal is the Dockerfile's dev-only target, in no deployment.
    assert builds.pop("dvcqg")["build"]["target"] == "fake-dvcqg"
    built = {s["image"] for s in builds.values()}
    pods = [d["spec"]["template"]["spec"] for d in _of("Deployment", "dev") + _of("Job", "dev")]
    containers = [c for pod in pods for c in pod["containers"] + pod.get("initContainers", [])]
    deployed = {c["image"] for c in containers if not c["image"].startswith("apache/kafka")}
    assert built == deployed == {"motcua-services:local"}
    pom = (ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    (version,) = re.findall(r"<kafka.version>(.+)</kafka.version>", pom)
    kafka_images = {c["image"] for c in containers if c["image"].startswith("apache/kafka")}
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{version}"
    assert kafka_images == {f"apache/kafka:{version}"}


def test_the_schema_check_catches_a_broken_manifest() -> None:
    deployment = copy.deepcopy(_of("Deployment")[0])
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSION, strict=True)
