"""Each Deployment stops within its bound: the app's cut-off, then uvicorn's, then the pod's."""

from __future__ import annotations

from pathlib import Path

import yaml

from motcua.settings import ServiceSettings
from motcua_devstack.services import graceful_timeout

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base"
DEPLOYMENTS = [
    doc
    for path in sorted(K8S.glob("*.yaml"))
    if path.name != "kustomization.yaml"
    for doc in yaml.safe_load_all(path.read_text())
    if doc and doc["kind"] == "Deployment"
]


def test_the_pod_outlives_the_service_bound_and_uvicorn_cancels_just_after_the_app() -> None:
    assert DEPLOYMENTS
    default = ServiceSettings.model_fields["shutdown_seconds"].default
    for deployment in DEPLOYMENTS:
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        bound = float(env.get(f"{name.upper()}_SHUTDOWN_SECONDS") or default)
        args = container["args"]
        assert "--timeout-graceful-shutdown" in args, f"{name}: uvicorn waits for ever"
        uvicorn = int(args[args.index("--timeout-graceful-shutdown") + 1])
        assert uvicorn == graceful_timeout(bound), name
        assert bound / 2 < uvicorn < bound, name
        assert pod["terminationGracePeriodSeconds"] > bound, name
        assert container["livenessProbe"]["httpGet"]["path"] == "/health", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready", name
