"""Write (or `--check`) the AsyncAPI document of each service, generated from its FastStream broker.

uv run python tools/asyncapi.py          # regenerate docs/asyncapi/*.yaml
uv run python tools/asyncapi.py --check  # fail if a committed document is stale
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import yaml
from faststream.specification import AsyncAPI

SERVICES = ("intake", "tracking", "scoring", "notify", "portal")
OUT = Path(__file__).resolve().parent.parent / "docs" / "asyncapi"


def document(service: str) -> str:
    """The AsyncAPI 3.0 YAML of one service."""
    app = importlib.import_module(f"motcua_{service}.app").create_app()
    runtime = app.state.runtime
    spec = AsyncAPI(
        runtime.broker,
        title=f"motcua {service}",
        version="1.0.0",
        description=app.description,
        schema_version="3.0.0",
    )
    # Sorted, so the document only changes when the contract does.
    return yaml.safe_dump(
        yaml.safe_load(spec.to_specification().to_yaml()), sort_keys=True, allow_unicode=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for service in SERVICES:
        path = OUT / f"{service}.yaml"
        text = document(service)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print(
            "stale AsyncAPI documents (run: uv run python tools/asyncapi.py):", *stale, sep="\n  "
        )
        return 1
    if args.check:
        print("AsyncAPI documents are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
