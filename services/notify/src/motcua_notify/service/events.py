"""Applying a batch of intake's and tracking's events: one transaction, messages recorded."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.clock import Clock
from motcua.events import Envelope
from motcua_notify.adapters.directory_store import load_units
from motcua_notify.adapters.dossier_store import lock_views, save_views
from motcua_notify.domain.directory import Directory
from motcua_notify.service.reactions import HANDLED, Links, react
from motcua_notify.service.recording import Addressed, Recorder

__all__ = ["EventApplier"]

log = logging.getLogger(__name__)


class EventApplier:
    """The consumer's batch handler: project the events, record the messages they call for."""

    def __init__(
        self, recorder: Recorder, links: Links, clock: Clock, fallback_one_stop: str | None
    ) -> None:
        self._recorder = recorder
        self._links = links
        self._clock = clock
        self._fallback = fallback_one_stop

    async def __call__(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        """Apply events in order within the consumer's transaction."""
        relevant = [e for e in envelopes if e.dossier_code and isinstance(e.data, HANDLED)]
        if not relevant:
            return
        views = await lock_views(session, (e.dossier_code for e in relevant if e.dossier_code))
        directory = Directory(await load_units(session), self._fallback)
        items: list[Addressed] = []
        changed = set()
        for envelope in relevant:
            code = envelope.dossier_code or ""
            views[code], asked = react(views[code], envelope, directory, self._links)
            items += asked
            changed.add(code)
        await save_views(session, [views[code] for code in sorted(changed)])
        written = await self._recorder.record(session, items, self._clock.now())
        log.debug(
            "applied events",
            extra={"events": len(relevant), "messages": len(items), "rows_written": written},
        )
