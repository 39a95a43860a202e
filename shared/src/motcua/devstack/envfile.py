"""`KEY=VALUE` files such as `.local/stack.env`, readable by `set -a; . file`."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

__all__ = ["read_env", "write_env"]


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
