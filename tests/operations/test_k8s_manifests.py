"""The Kubernetes manifests in deploy/k8s validate against the bundled Kubernetes schemas."""

from __future__ import annotations

import copy
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
VERSION = "1.31"
DOCUMENTS = [
    (path.name, i, doc)
    for path in sorted(K8S.glob("*.yaml"))
    if path.name != "kustomization.yaml"
    for i, doc in enumerate(yaml.safe_load_all(path.read_text()))
    if doc
]


@pytest.mark.parametrize(("file", "index", "document"), DOCUMENTS, ids=lambda v: str(v)[:30])
def test_manifest_is_valid(file: str, index: int, document: dict) -> None:
    kubernetes_validate.validate(document, VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )


def test_each_service_has_probes_and_never_a_simulated_clock() -> None:
    deployments = [d for _, _, d in DOCUMENTS if d["kind"] == "Deployment"]
    assert {d["metadata"]["name"] for d in deployments} == {
        "intake",
        "tracking",
        "scoring",
        "notify",
        "portal",
    }
    for deployment in deployments:
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        env = {e["name"]: e.get("value") for e in container["env"]}
        prefix = deployment["metadata"]["name"].upper()
        assert env[f"{prefix}_CLOCK__ENVIRONMENT"] == "production"


def test_the_check_catches_a_broken_manifest() -> None:
    deployment = copy.deepcopy(next(d for _, _, d in DOCUMENTS if d["kind"] == "Deployment"))
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSION, strict=True)
