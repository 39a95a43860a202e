"""Every request an integrator can send is shown by an example that its schema accepts.

Each service's OpenAPI document is built from its app (no database needed): every
request body carries an example (on the media type, or on its schema, or on each
variant of a union), and every query parameter an integrator writes by hand (text,
dates, times) has one too. Each example is validated against the schema beside it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012 as _DRAFT

SERVICES = ("intake", "tracking", "scoring", "notify", "portal")


@cache
def document(service: str) -> dict[str, Any]:
    app = importlib.import_module(f"motcua_{service}.app").create_app()
    return app.openapi()  # type: ignore[no-any-return]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _examples_of(doc: dict[str, Any], schema: dict[str, Any]) -> list[Any] | None:
    """The examples a schema shows; a union shows one per variant (None when one lacks)."""
    schema = _resolve(doc, schema)
    if "examples" in schema:
        return list(schema["examples"])
    variants = schema.get("oneOf") or schema.get("anyOf")
    if variants:
        found = [_examples_of(doc, v) for v in variants if v.get("type") != "null"]
        if found and all(f for f in found):
            return [example for f in found if f for example in f]
    return None


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    registry: Registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(doc, default_specification=_DRAFT)
    )
    wrapped = {**schema, "$id": "urn:request"}
    wrapped = _rebase(wrapped)
    return Draft202012Validator(wrapped, registry=registry)


def _rebase(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                "urn:openapi" + value
                if key == "$ref" and value.startswith("#/")
                else _rebase(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rebase(item) for item in node]
    return node


def bodies() -> Iterator[Any]:
    for service in SERVICES:
        for path, operations in document(service)["paths"].items():
            for method, operation in operations.items():
                body = operation.get("requestBody")
                for media_type in (body or {}).get("content", {}):
                    yield pytest.param(
                        service, path, method, media_type, id=f"{service} {method} {path}"
                    )


def queries() -> Iterator[Any]:
    for service in SERVICES:
        for path, operations in document(service)["paths"].items():
            for method, operation in operations.items():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "query" and _hand_written(parameter["schema"]):
                        yield pytest.param(
                            service,
                            path,
                            method,
                            parameter["name"],
                            id=f"{service} {method} {path} ?{parameter['name']}",
                        )


def _hand_written(schema: dict[str, Any]) -> bool:
    """Text a caller composes: strings (dates and times too) without a fixed list of values."""
    variants = schema.get("anyOf", [schema])
    for variant in variants:
        if variant.get("type") == "array":
            variant = variant.get("items", {})
        if variant.get("type") == "string" and "enum" not in variant and "$ref" not in variant:
            return True
    return False


@pytest.mark.parametrize(("service", "path", "method", "media_type"), list(bodies()))
def test_every_request_body_has_an_example_its_schema_accepts(
    service: str, path: str, method: str, media_type: str
) -> None:
    doc = document(service)
    media = doc["paths"][path][method]["requestBody"]["content"][media_type]
    schema = media.get("schema", {})
    if "example" in media:
        examples = [media["example"]]
    elif "examples" in media:
        examples = [item["value"] for item in media["examples"].values()]
    else:
        examples = _examples_of(doc, schema) or []
    assert examples, f"{method.upper()} {path} ({media_type}) has no example"
    validator = _validator(doc, schema)
    for example in examples:
        errors = [error.message for error in validator.iter_errors(example)]
        assert errors == [], f"{method.upper()} {path}: example refused: {errors}"


@pytest.mark.parametrize(("service", "path", "method", "name"), list(queries()))
def test_every_written_query_parameter_has_an_example_its_schema_accepts(
    service: str, path: str, method: str, name: str
) -> None:
    doc = document(service)
    (parameter,) = [
        p
        for p in doc["paths"][path][method]["parameters"]
        if p["in"] == "query" and p["name"] == name
    ]
    schema = parameter["schema"]
    examples = schema.get("examples") or ([parameter["example"]] if "example" in parameter else [])
    assert examples, f"{method.upper()} {path}?{name} has no example"
    validator = _validator(doc, schema)
    for example in examples:
        errors = [error.message for error in validator.iter_errors(example)]
        assert errors == [], f"{method.upper()} {path}?{name}: example refused: {errors}"


def test_a_missing_example_is_found() -> None:
    doc = {"components": {"schemas": {"A": {"type": "object"}}}}
    assert _examples_of(doc, {"$ref": "#/components/schemas/A"}) is None
    union = {"oneOf": [{"examples": [1]}, {"$ref": "#/components/schemas/A"}]}
    assert _examples_of(doc, union) is None


def test_an_example_its_schema_refuses_is_found() -> None:
    doc = document("intake")
    body = doc["paths"]["/v1/dossiers"]["post"]["requestBody"]["content"]["application/json"]
    (example,) = _examples_of(doc, body["schema"]) or [None]
    wrong = {**example, "channel": "by_pigeon"}
    assert list(_validator(doc, body["schema"]).iter_errors(wrong)) != []
