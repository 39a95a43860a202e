"""Every project metric the alert rules and the Grafana dashboard use is one the code defines."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\bmotcua_[a-z_]+")
SUFFIXES = ("_bucket", "_count", "_sum")
SCRAPE_LABELS = {"service", "job", "instance"}


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


def _module(path: Path) -> str:
    source = path.parts.index("src")
    return ".".join(path.relative_to(Path(*path.parts[: source + 1])).with_suffix("").parts)


def test_no_metric_label_collides_with_the_labels_a_scrape_gives() -> None:
    """Prometheus renames such a label (`service` becomes `exported_service`), so rules and
    dashboards reading it would find nothing."""
    modules = ["motcua.metrics", "motcua.messaging.consumer"] + [
        _module(path)
        for path in ROOT.glob("services/*/src/*/**/*.py")
        if re.search(r"\b(Counter|Gauge|Histogram)\(", path.read_text())
    ]
    for module in modules:
        importlib.import_module(module)
    labels = {
        collector._name: set(collector._labelnames)  # type: ignore[attr-defined]
        for collector in list(REGISTRY._collector_to_names)  # type: ignore[attr-defined]
        if getattr(collector, "_name", "").startswith("motcua_")
    }
    assert len(labels) > 30
    assert {name: names for name, names in labels.items() if names & SCRAPE_LABELS} == {}
