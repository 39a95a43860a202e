"""`uv run python -m bench [NAME ...]`: run the named benchmarks (all by default)."""

from __future__ import annotations

import importlib
import sys

BENCHES = [
    "messaging",
    "deadlines",
    "intake",
    "tracking",
    "scoring",
    "notify",
    "gateways",
    "rendering",
    "statements",
    "pool",
    "portal",
    "idle",
    "housekeeping",
    "e2e",
]


def main() -> None:
    args = sys.argv[1:]
    first_option = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
    names, options = args[:first_option] or BENCHES, args[first_option:]
    for name in names:
        print(f"== {name}")
        importlib.import_module(f"bench.{name}").main(options)


if __name__ == "__main__":
    main()
