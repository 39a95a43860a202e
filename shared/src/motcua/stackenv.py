"""The local stack's environment file, `.local/stack.env`, read where a deployment is absent.

The dev-only `motcua-devstack` member writes it (`KEY=VALUE` lines, readable by
`set -a; . file`) when it starts PostgreSQL and Kafka; command lines such as
`motcua-topics`, `motcua-dlq` and tracking's fill the variables they miss from it, so they
work in a checkout without `make`. In a deployment there is no such file and nothing is
read. The checkout's root is `$MOTCUA_ROOT`, else the nearest folder above holding
`uv.lock`; the state folder is `$MOTCUA_STATE_DIR` (relative to the root, or absolute),
else `.local`.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import MutableMapping
from pathlib import Path

__all__ = [
    "DEFAULT_STATE_DIR",
    "ENV_FILE",
    "ROOT_ENV",
    "STATE_ENV",
    "NoCheckout",
    "find_root",
    "load_stack_env",
    "read_env",
    "stack_env_file",
    "state_dir",
]

ROOT_ENV = "MOTCUA_ROOT"
STATE_ENV = "MOTCUA_STATE_DIR"
DEFAULT_STATE_DIR = ".local"
ENV_FILE = "stack.env"
_ROOT_MARKER = "uv.lock"

_KAFKA = (
    "BOOTSTRAP_SERVERS",
    "SECURITY_PROTOCOL",
    "SASL_MECHANISM",
    "SASL_USERNAME",
    "SASL_PASSWORD",
)


class NoCheckout(LookupError):
    """No repository root above the working directory, and `$MOTCUA_ROOT` is not set."""


def find_root(start: Path | None = None) -> Path:
    """The repository root: `$MOTCUA_ROOT`, else the nearest folder above holding `uv.lock`."""
    if configured := os.environ.get(ROOT_ENV):
        return Path(configured).resolve()
    for origin in (start or Path.cwd(), Path(__file__)):
        here = origin.resolve()
        for folder in (here, *here.parents):
            if (folder / _ROOT_MARKER).is_file():
                return folder
    raise NoCheckout(f"no {_ROOT_MARKER} found above {Path.cwd()}; set {ROOT_ENV} to the repo root")


def state_dir() -> str:
    """The stack's state folder, relative to the root or absolute: `$MOTCUA_STATE_DIR`."""
    return os.environ.get(STATE_ENV) or DEFAULT_STATE_DIR


def stack_env_file(start: Path | None = None) -> Path:
    """Where the stack of the checkout holding `start` keeps its `stack.env`."""
    return find_root(start) / state_dir() / ENV_FILE


def read_env(path: Path) -> dict[str, str]:
    """The values of a `KEY=VALUE` file as the stack writes it (empty if it does not exist)."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        key, raw = line.split("=", 1)
        parsed = shlex.split(raw)
        values[key.strip()] = parsed[0] if parsed else ""
    return values


def load_stack_env(
    service: str | None = None, environ: MutableMapping[str, str] | None = None
) -> Path | None:
    """Fill `environ` (default `os.environ`) from the local stack's `stack.env`, found by
    walking up to the repository root; variables already set win. With `service`, its own
    `<SERVICE>_DATABASE__URL` and `<SERVICE>_KAFKA__BOOTSTRAP_SERVERS` (with the operator's
    sign-in, `<SERVICE>_KAFKA__SASL_USERNAME`...) are derived too.
    Returns the file read, or None when there is none (a deployment, a fresh clone)."""
    target = os.environ if environ is None else environ
    try:
        path = stack_env_file()
    except NoCheckout:
        return None
    values = read_env(path)
    for key, value in values.items():
        target.setdefault(key, value)
    if service is not None:
        prefix = service.upper()
        if database := target.get("DATABASE_URL"):
            target.setdefault(f"{prefix}_DATABASE__URL", f"{database.rstrip('/')}/{service}")
        for name in _KAFKA:
            if setting := target.get(f"KAFKA_{name}"):
                target.setdefault(f"{prefix}_KAFKA__{name}", setting)
    return path if values else None
