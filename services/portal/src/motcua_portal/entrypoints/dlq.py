"""The sync's dead letters for the common `motcua-dlq` command (entry point
`motcua.dead_letters:portal`): list, show and redrive dossiers the sync gave up on,
through the same service-layer redrive as the HTTP API.

Settings come from the environment (`PORTAL_DATABASE__URL`, `PORTAL_CLOCK__*`), which
`motcua-dlq` fills from the local stack when it runs there. A running portal takes a
redriven dossier at its next pass (at most `PORTAL_SYNC__IDLE_POLL_SECONDS` later).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from motcua.clock import make_clock
from motcua.db import create_engine, sessions
from motcua.messaging import HeldLetter
from motcua.settings import DatabaseSettings
from motcua_portal.service import SyncDeadLetters
from motcua_portal.settings import PortalSettings

__all__ = ["PortalDeadLetters", "open_dead_letters"]


def _nothing_to_wake() -> None:
    """The running service is another process: its next pass finds the dossiers."""


class PortalDeadLetters:
    """`motcua.messaging.held.HeldLetters` over the sync's dead letters."""

    what = "dossier(s) the portal sync gave up on"

    def __init__(self, dead: SyncDeadLetters) -> None:
        self._dead = dead

    async def list(self) -> list[HeldLetter]:
        """Every dossier given up on, oldest first."""
        return [_letter(row) for row in await self._dead.list()]

    async def show(self, key: str) -> HeldLetter | None:
        """One dossier given up on (by its code)."""
        row = await self._dead.show(key)
        return None if row is None else _letter(row)

    async def redrive(self, key: str | None) -> int:
        """A new series of attempts for one dossier (by its code) or every one."""
        return await self._dead.redrive(key)


@asynccontextmanager
async def open_dead_letters(
    settings: PortalSettings | None = None,
) -> AsyncIterator[PortalDeadLetters]:
    """The portal's dead letters, on a small connection pool of its own."""
    settings = settings or PortalSettings()
    database = DatabaseSettings(url=settings.database.url, pool_size=1, max_overflow=1)
    engine = create_engine(database)
    try:
        dead = SyncDeadLetters(sessions(engine), make_clock(settings.clock), _nothing_to_wake)
        yield PortalDeadLetters(dead)
    finally:
        await engine.dispose()


def _letter(row: dict[str, Any]) -> HeldLetter:
    return HeldLetter(
        key=row["code"],
        reason=row["reason"] or "portal_rejected",
        attempts=row["attempts"],
        failed_at=row["dead_at"],
        error=row["last_reply"] or "",
        detail={"last_code": row["last_code"]},
    )
