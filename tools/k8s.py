"""Render the Kubernetes overlays and start each service's settings as a pod would.

    uv run python tools/k8s.py check [OVERLAY ...]    (default: dev production)

For every Deployment of an overlay, the container's environment is built exactly as the
kubelet would from the rendered manifests: `envFrom` ConfigMaps and Secrets, then `env`
(values, `configMapKeyRef`, `secretKeyRef`). Secrets the overlay does not generate come
from its `secrets.example.yaml`, the documented list of what must be provided, with its
values as placeholders. The service's settings class is then built from that environment
alone, and must accept it in production mode. Exits 1 naming every problem.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from pydantic import ValidationError

from motcua.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
OVERLAYS = ROOT / "deploy" / "k8s" / "overlays"
EXAMPLE = "secrets.example.yaml"

Document = dict[str, Any]


def kustomize() -> list[str]:
    """The command that renders a kustomization: `kubectl kustomize`, else `kustomize build`."""
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    if binary := shutil.which("kustomize"):
        return [binary, "build"]
    raise SystemExit("neither kubectl nor kustomize is installed: run `make kustomize-installed`")


def render(overlay: str | Path) -> list[Document]:
    """The documents of an overlay (a name under deploy/k8s/overlays, or a folder)."""
    folder = overlay if isinstance(overlay, Path) else OVERLAYS / overlay
    done = subprocess.run(  # noqa: S603
        [*kustomize(), str(folder)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{folder}: kustomize failed:\n{done.stderr}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def provided_secrets(folder: Path) -> list[Document]:
    """The Secrets an overlay documents as provided by the operator (its example file)."""
    example = folder / EXAMPLE
    if not example.is_file():
        return []
    return [doc for doc in yaml.safe_load_all(example.read_text()) if doc]


def _data(document: Document) -> dict[str, str]:
    data = {key: str(value) for key, value in (document.get("data") or {}).items()}
    if document["kind"] == "Secret":
        data = {key: base64.b64decode(value).decode() for key, value in data.items()}
    data.update({key: str(value) for key, value in (document.get("stringData") or {}).items()})
    return data


class Sources:
    """The ConfigMaps and Secrets a container can read, by kind and name."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self._maps: dict[tuple[str, str], dict[str, str]] = {}
        for doc in documents:
            if doc["kind"] in ("ConfigMap", "Secret"):
                self._maps[doc["kind"], doc["metadata"]["name"]] = _data(doc)

    def get(self, kind: str, name: str) -> dict[str, str] | None:
        return self._maps.get((kind, name))


def environment(container: Document, sources: Sources) -> tuple[dict[str, str], list[str]]:
    """A container's environment and the references that cannot be resolved."""
    env: dict[str, str] = {}
    problems: list[str] = []
    for source in container.get("envFrom") or []:
        kind, ref = (
            ("Secret", source["secretRef"])
            if "secretRef" in source
            else (
                "ConfigMap",
                source["configMapRef"],
            )
        )
        values = sources.get(kind, ref["name"])
        if values is None:
            if not ref.get("optional"):
                problems.append(f"{kind} {ref['name']} is neither rendered nor documented")
            continue
        env.update({source.get("prefix", "") + k: v for k, v in values.items()})
    for entry in container.get("env") or []:
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
            continue
        origin = entry.get("valueFrom", {})
        kind, ref = (
            ("Secret", origin.get("secretKeyRef"))
            if "secretKeyRef" in origin
            else (
                "ConfigMap",
                origin.get("configMapKeyRef"),
            )
        )
        if ref is None:
            env[entry["name"]] = "placeholder"
            continue
        value = (sources.get(kind, ref["name"]) or {}).get(ref["key"])
        if value is None:
            if not ref.get("optional"):
                problems.append(f"{entry['name']}: {kind} {ref['name']} has no key {ref['key']}")
            continue
        env[entry["name"]] = value
    return env, problems


def settings_class(container: Document) -> type[ServiceSettings]:
    """The settings class of the service a container runs (`motcua_<name>.app:...`)."""
    app = next(arg for arg in container.get("args", []) if ".app:" in arg)
    module = importlib.import_module(app.split(".app:")[0] + ".settings")
    return next(
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, ServiceSettings) and cls is not ServiceSettings
    )


def start_settings(cls: type[ServiceSettings], env: Mapping[str, str]) -> str | None:
    """Why the settings refuse `env` (None: accepted, in production mode)."""
    with mock.patch.dict(os.environ, env, clear=True):
        try:
            settings = cls()
        except ValidationError as error:
            return "; ".join(e["msg"] for e in error.errors())
    if settings.clock.environment != "production":
        return f"not in production mode (clock environment {settings.clock.environment!r})"
    return None


def check(overlay: str | Path) -> list[str]:
    """Every problem of an overlay: unresolved references, settings that refuse."""
    folder = overlay if isinstance(overlay, Path) else OVERLAYS / overlay
    documents = render(folder)
    sources = Sources([*documents, *provided_secrets(folder)])
    problems: list[str] = []
    for doc in documents:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            where = f"{folder.name}: {doc['kind']} {doc['metadata']['name']}"
            env, unresolved = environment(container, sources)
            problems += [f"{where}: {problem}" for problem in unresolved]
            if doc["kind"] == "Deployment":
                cls = settings_class(container)
                if (refusal := start_settings(cls, env)) is not None:
                    problems.append(f"{where}: {cls.__name__} refuses: {refusal}")
    return problems


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print(__doc__, file=sys.stderr)
        return 2
    overlays = argv[1:] or ["dev", "production"]
    problems = [problem for overlay in overlays for problem in check(overlay)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"k8s: {', '.join(overlays)}: every service starts in production mode")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
