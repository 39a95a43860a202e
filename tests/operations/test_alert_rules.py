"""The Prometheus alert rules in deploy/ are valid and fire when they should (`promtool`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize(
    "rules", sorted((PROMETHEUS / "rules").glob("*.yml")), ids=lambda p: p.name
)
def test_rules_are_valid(rules: Path) -> None:
    checked = promtool("check", "rules", str(rules), cwd=PROMETHEUS)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_rule_file_has_unit_tests() -> None:
    tested = {p.name.removesuffix("_test.yml") for p in (PROMETHEUS / "tests").glob("*_test.yml")}
    assert tested == {p.stem for p in (PROMETHEUS / "rules").glob("*.yml")}


@pytest.mark.parametrize(
    "case", sorted((PROMETHEUS / "tests").glob("*_test.yml")), ids=lambda p: p.name
)
def test_alerts_fire_as_specified(case: Path) -> None:
    checked = promtool("test", "rules", case.name, cwd=case.parent)
    assert checked.returncode == 0, checked.stdout + checked.stderr
