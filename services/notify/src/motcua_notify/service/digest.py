"""The officials' daily digest: each unit's open and overdue dossiers, once a day.

Runs at a configured local time; a unit's digest of a day is claimed in
`digest_runs` in the same transaction that records its messages, so several
instances, restarts or a late start (it catches up the same day) never send it twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.clock import Clock
from motcua.db import Sessions
from motcua.loops import Loop
from motcua_notify.adapters.digest_store import claim_digest, digested_units, set_digest_size
from motcua_notify.adapters.directory_store import load_units
from motcua_notify.adapters.dossier_store import open_dossiers_of
from motcua_notify.domain.contexts import DailyDigestContext, DigestEntry
from motcua_notify.domain.directory import UnitContact
from motcua_notify.domain.dossiers import DossierView
from motcua_notify.domain.local_time import to_local
from motcua_notify.domain.messages import MessageType
from motcua_notify.domain.planning import MessageRequest
from motcua_notify.domain.wording import UNKNOWN, WHOLE_DOSSIER
from motcua_notify.service.recording import Addressed, Recorder
from motcua_notify.settings import DigestSettings, LinkSettings

__all__ = ["DigestScheduler", "digest_day", "unit_digest"]

log = logging.getLogger(__name__)


class DigestScheduler:
    """Checks the clock and sends the day's digests once it is time."""

    def __init__(
        self,
        sessions: Sessions,
        recorder: Recorder,
        clock: Clock,
        links: LinkSettings,
        options: DigestSettings,
    ) -> None:
        """`options` says when the digest goes and what it holds (`enabled` is the app's)."""
        self._sessions = sessions
        self._recorder = recorder
        self._clock = clock
        self._links = links
        self._options = options
        self.loop = Loop("digests", self.step)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set."""
        await self.loop.run(stop)

    async def step(self) -> float:
        """Send what is due; the pause before the next check."""
        await self.run_due()
        return self._options.check_seconds

    async def run_due(self) -> int:
        """Send the digests of today not sent yet, if their time has come; returns rows written."""
        now = self._clock.now()
        local = to_local(now)
        if local.time() < self._options.at:
            return 0
        day = local.date()
        async with self._sessions() as session:
            units = await load_units(session)
            done = await digested_units(session, day)
        written = 0
        for unit in sorted(units, key=lambda u: u.code):
            if unit.code not in done:
                written += await self._digest(unit, day, now)
        return written

    async def _digest(self, unit: UnitContact, day: date, now: datetime) -> int:
        async with self._sessions() as session, session.begin():
            if not await claim_digest(session, unit.code, day):
                return 0
            item = await unit_digest(
                session, unit, day, now, day.isoformat(), self._links, self._options
            )
            if item is None:
                return 0
            written = await self._recorder.record(session, [item], now)
            await set_digest_size(session, unit.code, day, written)
        return written


async def unit_digest(
    session: AsyncSession,
    unit: UnitContact,
    day: date,
    now: datetime,
    source: str,
    links: LinkSettings,
    options: DigestSettings,
) -> Addressed | None:
    """A unit's digest of `day` as it stands now (None if it holds nothing and empty ones don't go).

    `source` (the day, or the day and what changed it) is part of the idempotency key.
    """
    views = await open_dossiers_of(session, unit.code, options.max_entries)
    if not views and not options.include_empty:
        return None
    context = DailyDigestContext(
        unit_name=unit.name,
        digest_date=day,
        dossiers=tuple(_entry(view, now) for view in views),
        dashboard_url=links.dashboard(unit.code),
    )
    request = MessageRequest(
        MessageType.DAILY_DIGEST,
        f"digest:{unit.code}",
        source,
        context,
        unit.recipient,
        unit.channels,
    )
    return Addressed(request, None, unit_code=unit.code, agency_code=unit.agency_code)


def _entry(view: DossierView, now: datetime) -> DigestEntry:
    due = view.due_at or now
    return DigestEntry(
        dossier_code=view.code,
        procedure_name=view.procedure_name or UNKNOWN,
        step_name=view.step_name(view.current_step, WHOLE_DOSSIER),
        due_at=due,
        overdue=view.is_overdue(now),
    )


def digest_day(source: str) -> date:
    """The day a digest row is about, from its source (`YYYY-MM-DD`, maybe followed by more)."""
    return date.fromisoformat(source[:10])
