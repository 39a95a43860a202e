"""What operators do: read a dossier's sync state, repair, redrive dead letters, map
procedures and agencies to the portal's codes, refresh the national catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.clock import Clock
from motcua.db import Sessions
from motcua_portal.adapters.dvcqg import Portal
from motcua_portal.adapters.operator_store import OperatorStore
from motcua_portal.adapters.store import SyncStore
from motcua_portal.domain import Reply, Suggestion, suggest
from motcua_portal.service.deadletters import SyncDeadLetters

__all__ = ["Operations", "UnknownDossier", "UnknownProcedure"]


class UnknownDossier(LookupError):
    """No event of this dossier has reached the portal service."""


class UnknownProcedure(LookupError):
    """No such local procedure in the catalogue."""


class Operations:
    """The use cases behind the HTTP API's operator routes."""

    def __init__(self, sessions: Sessions, portal: Portal, clock: Clock, wake: Any) -> None:
        self._sessions = sessions
        self._portal = portal
        self._clock = clock
        self._wake = wake
        self._dead = SyncDeadLetters(sessions, clock, wake)

    async def sync_state(self, code: str) -> dict[str, Any]:
        """What the portal has for a dossier and when it got it."""
        async with self._sessions() as session:
            store = OperatorStore(session)
            dossier = await store.dossier(code)
            if dossier is None:
                raise UnknownDossier(code)
            queued = await store.queued(code)
            steps = await store.progress(code)
        return {
            "code": code,
            "revision": dossier.revision,
            "synced_revision": dossier.synced_revision,
            "in_sync": dossier.synced_revision >= dossier.revision,
            "on_portal": dossier.on_portal,
            "created_on_portal_at": _iso(dossier.created_on_portal_at),
            "acknowledged_at": _iso(dossier.acknowledged_at),
            "record": dossier.record,
            "progress": [
                {"step": s.step_key, "entry": s.entry, "sent_at": _iso(s.sent_at)} for s in steps
            ],
            "queue": None
            if queued is None
            else {
                "state": queued.state,
                "reason": queued.reason,
                "attempts": queued.attempts,
                "due_at": _iso(queued.due_at),
                "last_code": queued.last_code,
                "last_reply": queued.last_reply,
                "dead_at": _iso(queued.dead_at),
            },
            "last_reply": dossier.last_reply,
        }

    async def summary(self, start: datetime | None, end: datetime | None) -> dict[str, Any]:
        """How many dossiers (received in [start, end) when given) the portal has up to
        date, how many wait and why."""
        async with self._sessions() as session:
            store = OperatorStore(session)
            totals = await store.totals(start, end)
            states = await store.queue_states(start, end)
        waiting = {"pending": 0, "held": 0, "dead": 0} | states
        return {
            "dossiers": totals.dossiers,
            "in_sync": totals.in_sync,
            "on_portal": totals.on_portal,
            "queue": waiting,
        }

    async def resync(self, codes: list[str] | None) -> int:
        """Send these dossiers (every one when None) again, record and every step."""
        async with self._sessions() as session, session.begin():
            count = await SyncStore(session).requeue(codes, self._clock.now(), force=True)
        self._wake()
        return count

    async def resync_received(self, start: datetime, end: datetime) -> int:
        """Send again every dossier received in [start, end)."""
        async with self._sessions() as session:
            codes = await SyncStore(session).received_between(start, end)
        return await self.resync(codes) if codes else 0

    async def dead_letters(self) -> list[dict[str, Any]]:
        """Dossiers given up on, with the portal's last reply."""
        return await self._dead.list()

    async def redrive(self, code: str | None) -> int:
        """Give one dead dossier (or all) a new series of attempts."""
        return await self._dead.redrive(code)

    async def procedures(self) -> list[dict[str, Any]]:
        """Local procedures and the national codes they are mapped to (None: unmapped)."""
        async with self._sessions() as session:
            rows = await OperatorStore(session).procedure_mappings()
        return [_mapping(r) for r in rows]

    async def map_procedure(
        self,
        local_code: str,
        national_code: str,
        name: str | None,
        field_code: str,
        field_name: str,
    ) -> dict[str, Any]:
        """Confirm a local procedure's national code; held dossiers of it are queued again."""
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            store = OperatorStore(session)
            if name is None:
                name = await store.national_name(national_code) or ""
            row = await store.confirm_procedure(
                local_code, national_code, name, field_code, field_name, now
            )
            await store.release_held(local_code, now)
        self._wake()
        return _mapping(row)

    async def suggestions(self, local_code: str) -> list[Suggestion]:
        """National procedures whose names are most like the local one's."""
        async with self._sessions() as session:
            store = OperatorStore(session)
            local = await store.local_name(local_code)
            if local is None:
                raise UnknownProcedure(local_code)
            national = await store.national_catalogue()
        return suggest(local, national)

    async def refresh_catalogue(self) -> tuple[int, Reply]:
        """Fetch the national catalogue (LayDanhSachTTHC) into the suggestion table."""
        reply = await self._portal.procedures()
        items = (reply.body or {}).get("data") if reply.ok else None
        rows = [
            {
                "code": str(i.get("MaTTHC")),
                "name": str(i.get("TenTTHC", "")),
                "field_code": str(i.get("MaLinhVuc", "")),
                "field_name": str(i.get("TenLinhVuc", "")),
            }
            for i in items or ()
            if isinstance(i, dict) and i.get("MaTTHC")
        ]
        if rows:
            async with self._sessions() as session, session.begin():
                await OperatorStore(session).keep_catalogue(rows)
        return len(rows), reply

    async def map_unit(self, agency_code: str, unit_code: str) -> None:
        """Set an agency's portal unit code (madonvi), used by every call from now on."""
        async with self._sessions() as session, session.begin():
            await OperatorStore(session).map_unit(agency_code, unit_code)

    async def units(self) -> dict[str, str]:
        """Every agency's portal unit code."""
        async with self._sessions() as session:
            return await OperatorStore(session).units()


def _mapping(row: Any) -> dict[str, Any]:
    return {
        "local_code": row.local_code,
        "local_name": row.local_name,
        "national_code": row.national_code,
        "national_name": row.national_name,
        "field_code": row.field_code,
        "field_name": row.field_name,
        "confirmed_at": _iso(row.confirmed_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
