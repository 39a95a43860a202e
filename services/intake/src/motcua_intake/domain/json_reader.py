"""Typed reading of decoded JSON objects, with errors that name the field's path."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

__all__ = ["MISSING", "CatalogueError", "JsonObject", "as_object", "join_path"]

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
MISSING = object()


def join_path(prefix: str, child: str) -> str:
    """`prefix` and `child` joined as a field path ("steps[2]" + "code")."""
    if not prefix:
        return child
    if not child or child.startswith("["):
        return f"{prefix}{child}"
    return f"{prefix}.{child}"


class CatalogueError(ValueError):
    """A catalogue entry is malformed; `path` names the field ("steps[2].allotted.amount")."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem

    def within(self, prefix: str) -> CatalogueError:
        """The same error seen from an enclosing object at `prefix`."""
        return CatalogueError(join_path(prefix, self.path), self.problem)


@dataclass(frozen=True, slots=True)
class JsonObject:
    """A decoded JSON object and its path from the document root."""

    data: Mapping[str, object]
    path: str = ""

    def at(self, key: str) -> str:
        """The path of member `key`."""
        return join_path(self.path, key)

    def fail(self, key: str, problem: str) -> CatalogueError:
        """An error about member `key`."""
        return CatalogueError(self.at(key), problem)

    def raw(self, key: str, default: object = MISSING) -> object:
        """Member `key` as decoded; required unless a default is given."""
        if key in self.data:
            return self.data[key]
        if default is MISSING:
            raise self.fail(key, "is required")
        return default

    def text(self, key: str) -> str:
        """A non-blank string member."""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value

    def optional_text(self, key: str, default: str | None) -> str | None:
        """A string member that may be null; `default` when absent."""
        value = self.raw(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string or null")
        return value

    def flag(self, key: str) -> bool:
        """A boolean member."""
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def integer(self, key: str) -> int:
        """A whole-number member."""
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "must be a whole number")
        return value

    def decimal(self, key: str) -> Decimal:
        """A decimal written as a string ("0.5"), so that no precision is lost."""
        value = self.raw(key)
        if not isinstance(value, str) or _DECIMAL.fullmatch(value) is None:
            raise self.fail(key, 'must be a decimal written as a string, e.g. "0.5"')
        return Decimal(value)

    def choice(self, key: str, kind: type[E]) -> E:
        """A string member naming one member of the enumeration `kind`."""
        value = self.text(key)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(member.value) for member in kind)
            raise self.fail(key, f"{value!r} is not one of {allowed}") from None

    def child(self, key: str) -> JsonObject:
        """An object member."""
        return as_object(self.raw(key), self.at(key))

    def children(self, key: str) -> list[JsonObject]:
        """An array of objects, each with its indexed path ("steps[0]")."""
        return [as_object(item, path) for path, item in self._items(key)]

    def texts(self, key: str) -> tuple[str, ...]:
        """An array of non-blank strings."""
        items = self._items(key)
        for path, item in items:
            if not isinstance(item, str) or not item.strip():
                raise CatalogueError(path, "must be a non-empty string")
        return tuple(str(item) for _, item in items)

    def build(self, factory: Callable[[], T]) -> T:
        """Run a constructor whose own errors name paths relative to this object."""
        try:
            return factory()
        except CatalogueError as error:
            raise error.within(self.path) from None

    def _items(self, key: str) -> list[tuple[str, object]]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise self.fail(key, "must be an array")
        return [(f"{self.at(key)}[{index}]", item) for index, item in enumerate(value)]


def as_object(value: object, path: str) -> JsonObject:
    """`value` as a JsonObject, or an error at `path` if it is not a JSON object."""
    if not isinstance(value, dict):
        raise CatalogueError(path, "must be an object")
    return JsonObject({str(key): item for key, item in value.items()}, path)
