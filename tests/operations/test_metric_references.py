"""Every project metric the alert rules and the Grafana dashboard use is one the code defines."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\bmotcua_[a-z_]+")
SUFFIXES = ("_bucket", "_count", "_sum")


def defined() -> set[str]:
    names: set[str] = set()
    for source in [*ROOT.glob("shared/src/**/*.py"), *ROOT.glob("services/*/src/**/*.py")]:
        names |= set(re.findall(r"\"(motcua_[a-z_]+)\"", source.read_text()))
    return names


def base(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def test_alert_rules_use_defined_metrics() -> None:
    used = {
        base(n)
        for p in (ROOT / "deploy/prometheus/rules").glob("*.yml")
        for n in NAME.findall(p.read_text())
    }
    assert used and used <= defined()


def test_the_dashboard_uses_defined_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/motcua-overview.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = {base(n) for e in exprs for n in NAME.findall(e)}
    assert len(exprs) >= 15
    assert used and used <= defined(), used - defined()
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
