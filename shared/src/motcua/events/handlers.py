"""Handlers filed by event type: what a service does with each type of event it takes.

`on` files a handler under the event types it takes (mypy checks that it takes events of
these types; of several, a type they all share), and refuses a second handler for a type.
The handlers are looked up by the event's exact type: decoding gives every event in its
type's current class (`Event.upcast`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from motcua.events.envelope import Event

__all__ = ["ByEventType"]

_C = TypeVar("_C")
_R = TypeVar("_R")
_E = TypeVar("_E", bound=Event)


class ByEventType(Generic[_C, _R]):
    """Each event type's handler, called with a context (`_C`) and the event."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._handlers: dict[type[Event], Callable[[_C, Any], _R]] = {}
        """A dict cannot tie a key's type to its value's, so the values take `Any`; `on`
        files each handler only under the types it takes."""

    def on(
        self, *event_types: type[_E]
    ) -> Callable[[Callable[[_C, _E], _R]], Callable[[_C, _E], _R]]:
        """Register the decorated function as the handler of these event types."""

        def register(handler: Callable[[_C, _E], _R]) -> Callable[[_C, _E], _R]:
            for event_type in event_types:
                if event_type in self._handlers:
                    raise TypeError(f"{event_type.__name__} has two {self._what}")
                self._handlers[event_type] = handler
            return handler

        return register

    def of(self, event: Event) -> Callable[[_C, Any], _R] | None:
        """The handler of this event's type, if one is filed."""
        return self._handlers.get(type(event))

    def types(self) -> tuple[type[Event], ...]:
        """The event types filed so far."""
        return tuple(self._handlers)

    def names(self) -> frozenset[str]:
        """Their names (`event_type`): what a consumer applies, passing over the rest."""
        return frozenset(event_type.event_type for event_type in self._handlers)
