"""The sync's dead letters: dossiers given up on after `max_attempts` refusals, kept in
the queue (state `dead`) with the portal's last reply, until an operator redrives them.

One implementation behind the HTTP API (`/v1/sync/dead-letters`) and the common
`motcua-dlq` command line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from motcua.clock import Clock
from motcua.db import Sessions
from motcua_portal.adapters.operator_store import OperatorStore
from motcua_portal.adapters.store import SyncStore

__all__ = ["SyncDeadLetters"]


class SyncDeadLetters:
    """List, show and redrive the dossiers the sync gave up on."""

    def __init__(self, sessions: Sessions, clock: Clock, wake: Callable[[], None]) -> None:
        self._sessions = sessions
        self._clock = clock
        self._wake = wake

    async def list(self, code: str | None = None) -> list[dict[str, Any]]:
        """Dossiers given up on (or the one of `code`), oldest first, with the portal's
        last reply."""
        async with self._sessions() as session:
            rows = await OperatorStore(session).dead_letters(code)
        return [
            {
                "code": r.code,
                "reason": r.reason,
                "attempts": r.attempts,
                "last_code": r.last_code,
                "last_reply": r.last_reply,
                "dead_at": _iso(r.dead_at),
            }
            for r in rows
        ]

    async def show(self, code: str) -> dict[str, Any] | None:
        """One dossier given up on, or None when it is not dead-lettered."""
        found = await self.list(code)
        return found[0] if found else None

    async def redrive(self, code: str | None) -> int:
        """Give one dead dossier (or all) a new series of attempts; returns how many."""
        async with self._sessions() as session, session.begin():
            store = SyncStore(session)
            dead = await store.dead([code] if code else None)
            count = (
                await store.requeue(dead, self._clock.now(), force=False, states=("dead",))
                if dead
                else 0
            )
        if count:
            self._wake()
        return count


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
