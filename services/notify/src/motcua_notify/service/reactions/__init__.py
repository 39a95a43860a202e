"""Who is told what, event by event: updates the dossier view and asks for messages.

The reactions are split by audience: `citizens` writes to the applicant (forms 01–04,
the stop notice, the result), `officials` to the units holding dossiers (tracking's
alerts), and `state` only keeps the view up to date. Each handler is filed in one
registry (`scene.on`), under the event types it takes; `react` applies one event.
"""

from __future__ import annotations

from motcua.events import Event
from motcua_notify.service.reactions import citizens, officials, state
from motcua_notify.service.reactions.scene import Outcome, handled, handled_names, react

__all__ = ["HANDLED", "HANDLED_TYPES", "Outcome", "react"]

_AUDIENCES = (citizens, officials, state)
"""The modules whose handlers are registered on import (every handler lives in one)."""

HANDLED: tuple[type[Event], ...] = handled()
"""The event types `react` answers, each registered with `scene.on` in one of the modules."""

HANDLED_TYPES: frozenset[str] = handled_names()
"""Their names: the consumer passes over the others unread."""
