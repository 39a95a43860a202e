from __future__ import annotations

from pathlib import Path

import pytest

from motcua_devstack.layout import Layout
from motcua_devstack.testing import Infrastructure, resolve_infrastructure


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    """A stack layout of a throwaway checkout (the real deploy/ files copied in)."""
    real = Layout.discover()
    for relative in ("deploy/kafka/server.properties.template", "deploy/kafka/log4j2.yaml"):
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((real.root / relative).read_bytes())
    return Layout(tmp_path)


@pytest.fixture(scope="session")
def infrastructure() -> Infrastructure:
    return resolve_infrastructure()
