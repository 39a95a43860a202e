"""`KEY=VALUE` files such as `.local/stack.env`, readable by `set -a; . file`.

The stack writes them here; reading them (and filling the environment of a command line
from `stack.env`) is the common package's `motcua.stackenv`, which is all production code
needs of the local stack.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_env"]


def write_env(path: Path, values: Mapping[str, str]) -> None:
    """Write `values` as `KEY=VALUE` lines, quoting only where a shell needs it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={shlex.quote(value)}\n" for key, value in values.items()]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(lines), encoding="utf-8")
    temporary.replace(path)
