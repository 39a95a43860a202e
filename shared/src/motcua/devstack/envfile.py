"""`KEY=VALUE` files such as `.local/stack.env`, readable by `set -a; . file`."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from motcua.devstack.errors import StackError
from motcua.devstack.layout import Layout

__all__ = ["load_stack_env", "read_env", "write_env"]

_KAFKA = (
    "BOOTSTRAP_SERVERS",
    "SECURITY_PROTOCOL",
    "SASL_MECHANISM",
    "SASL_USERNAME",
    "SASL_PASSWORD",
)


def write_env(path: Path, values: Mapping[str, str]) -> None:
    """Write `values` as `KEY=VALUE` lines, quoting only where a shell needs it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={shlex.quote(value)}\n" for key, value in values.items()]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(lines), encoding="utf-8")
    temporary.replace(path)


def read_env(path: Path) -> dict[str, str]:
    """The values of a file written by `write_env` (empty if it does not exist)."""
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
        path = Layout.discover().env_file
    except StackError:
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
