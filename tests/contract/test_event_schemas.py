"""The published event schemas (schemas/events/) only ever evolve compatibly."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from motcua.events import DossierReceived, ProcedureUpdated, event_classes
from motcua.events.schemas import event_schema, incompatibilities, schema_path

PUBLISHED = Path(__file__).resolve().parents[2] / "schemas" / "events"
CURRENT = {schema_path(PUBLISHED, m): m for m in event_classes()}


@pytest.mark.parametrize("path", sorted(PUBLISHED.rglob("*.json")), ids=lambda p: p.stem)
def test_published_schema_is_still_honoured(path: Path) -> None:
    assert path in CURRENT, f"{path.name} was published but its event type is gone"
    published = json.loads(path.read_text())
    assert incompatibilities(published, event_schema(CURRENT[path])) == []


@pytest.mark.parametrize("model", event_classes(), ids=lambda m: m.event_type)
def test_every_event_type_is_published(model) -> None:
    assert schema_path(PUBLISHED, model).exists(), "run: uv run python tools/schemas.py"


def schema() -> dict:
    return copy.deepcopy(event_schema(DossierReceived))


def test_an_optional_field_may_be_added() -> None:
    new = schema()
    new["properties"]["data"]["properties"]["queue_number"] = {"type": "integer"}
    assert incompatibilities(schema(), new) == []


def test_removing_a_field_is_caught() -> None:
    new = schema()
    del new["properties"]["data"]["properties"]["channel"]
    assert incompatibilities(schema(), new) == ["/data/channel: field removed"]


def test_a_new_required_field_is_caught() -> None:
    new = schema()
    new["properties"]["data"]["properties"]["queue_number"] = {"type": "integer"}
    new["properties"]["data"]["required"].append("queue_number")
    assert incompatibilities(schema(), new) == ["/data/queue_number: field became required"]


def test_a_retyped_field_inside_a_nested_model_is_caught() -> None:
    old = event_schema(ProcedureUpdated)
    new = copy.deepcopy(old)
    new["$defs"]["ProcedureTerms"]["properties"]["name"] = {"type": "integer"}
    assert incompatibilities(old, new) == ["/data/procedure/name: type or constraints changed"]


def test_a_changed_enum_is_caught() -> None:
    new = schema()
    new["$defs"]["Channel"]["enum"].append("kiosk")
    assert incompatibilities(schema(), new) == ["/data/channel: type or constraints changed"]
