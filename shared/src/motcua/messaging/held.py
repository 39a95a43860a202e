"""Dead letters a service keeps in its own tables rather than on its DLQ topic, shown
and redriven by the same `motcua-dlq` command.

The portal's sync gives up on a dossier (not a message) after repeated refusals, and
keeps it with the portal's reply until it is redriven. A service offers such letters
through the entry point group `motcua.dead_letters`, named after the service, whose
object opens them (an async context manager yielding a `HeldLetters`):

    [project.entry-points."motcua.dead_letters"]
    portal = "motcua_portal.entrypoints.dlq:open_dead_letters"

The common package never imports a service: it finds the entry point by name.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, cast

__all__ = ["ENTRY_POINT_GROUP", "HeldLetter", "HeldLetters", "Opener", "held_letters"]

ENTRY_POINT_GROUP = "motcua.dead_letters"


@dataclass(frozen=True, slots=True)
class HeldLetter:
    """One thing a service gave up on: `key` names it for `show` and `redrive`."""

    key: str
    reason: str
    attempts: int
    failed_at: str | None
    error: str
    detail: dict[str, Any] = field(default_factory=dict)


class HeldLetters(Protocol):
    """A service's own dead letters, behind its own (service-layer) redrive."""

    what: str
    """What a letter is, for people (e.g. "dossier(s) the portal sync gave up on")."""

    async def list(self) -> list[HeldLetter]:
        """Every letter waiting, oldest first."""
        ...

    async def show(self, key: str) -> HeldLetter | None:
        """One letter, or None when `key` is not a letter waiting."""
        ...

    async def redrive(self, key: str | None) -> int:
        """Try one letter (or every one when `key` is None) again; returns how many."""
        ...


Opener = Callable[[], AbstractAsyncContextManager[HeldLetters]]


def held_letters(service: str) -> Opener | None:
    """The opener of the service's own dead letters, or None when it keeps none."""
    found = entry_points(group=ENTRY_POINT_GROUP, name=service)
    for entry in found:
        return cast(Opener, entry.load())
    return None
