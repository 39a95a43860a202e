"""JSON Schema of every event (envelope included) and the compatibility rule they obey.

A published schema may gain optional fields; anything else (a field removed,
retyped, newly required, an enum or a constraint changed) needs a new schema
version, because consumers on either side of a deploy must keep reading each
other's events.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from motcua.events.envelope import Envelope, Event, event_classes

__all__ = ["event_schema", "export_schemas", "incompatibilities", "schema_path"]

_IGNORED = {"title", "description", "default", "examples"}


def event_schema(model: type[Event]) -> dict[str, Any]:
    """The JSON Schema of an event as it travels: the envelope with this payload."""
    envelope = Envelope.model_json_schema()
    payload = model.model_json_schema(ref_template="#/$defs/{model}")
    defs = {**envelope.pop("$defs", {}), **payload.pop("$defs", {})}
    defs.pop("Event", None)
    envelope["properties"]["data"] = payload
    envelope["properties"]["event_type"] = {"const": model.event_type, "type": "string"}
    envelope["properties"]["schema_version"] = {"const": model.schema_version, "type": "integer"}
    envelope["title"] = f"{model.event_type} v{model.schema_version}"
    envelope["$defs"] = defs
    envelope["x-topic"] = model.topic.name
    return envelope


def schema_path(root: Path, model: type[Event]) -> Path:
    """Where an event's schema is kept: `<root>/<topic>/<event type>.v<n>.json`."""
    return root / model.topic.name / f"{model.event_type}.v{model.schema_version}.json"


def export_schemas(root: Path) -> list[Path]:
    """Write the schema of every registered event; returns the files written."""
    written = []
    for model in event_classes():
        path = schema_path(root, model)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(event_schema(model), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
        written.append(path)
    return written


def incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why `new` cannot replace the published `old` schema (empty when it can)."""
    problems: list[str] = []
    _compare(_resolve(old, old), _resolve(new, new), "", problems)
    return problems


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _resolve(root["$defs"][name], root)
        return {k: _resolve(v, root) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_resolve(v, root) for v in node]
    return node


def _compare(old: Any, new: Any, where: str, problems: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict) and "properties" in old:
        old_props, new_props = old["properties"], new.get("properties", {})
        for name, schema in old_props.items():
            if name not in new_props:
                problems.append(f"{where}/{name}: field removed")
            else:
                _compare(schema, new_props[name], f"{where}/{name}", problems)
        old_required = set(old.get("required", []))
        for name in sorted(set(new.get("required", [])) - old_required):
            problems.append(f"{where}/{name}: field became required")
        return
    if _strip(old) != _strip(new):
        problems.append(f"{where or '/'}: type or constraints changed")


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _IGNORED}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node
