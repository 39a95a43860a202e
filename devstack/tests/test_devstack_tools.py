from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from motcua_devstack import kafka, postgres, prometheus
from motcua_devstack.errors import StackError
from motcua_devstack.layout import Layout


@pytest.fixture
def nothing_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(Path, "glob", lambda _self, _pattern: iter(()))


@pytest.mark.parametrize(
    ("find", "package"),
    [
        (prometheus.find_binary, "apt-get install -y prometheus"),
        (kafka.find_java, "apt-get install -y openjdk-17-jre-headless"),
        (postgres.find_bin_dir, "apt-get install -y postgresql-15"),
    ],
)
@pytest.mark.usefixtures("nothing_installed")
def test_a_missing_tool_is_named_with_its_package(find, package: str) -> None:
    with pytest.raises(StackError, match=package):
        find()


@pytest.mark.usefixtures("nothing_installed")
def test_missing_jars_without_maven_say_how_to_get_maven(layout: Layout) -> None:
    (layout.kafka_deploy / "pom.xml").write_text("<project/>")

    with pytest.raises(StackError, match="apt-get install -y maven"):
        kafka.ensure_jars(layout)
