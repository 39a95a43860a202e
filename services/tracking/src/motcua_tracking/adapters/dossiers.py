"""Loading and saving tracked dossiers with their timers and event history, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import json_text
from motcua.events import Envelope, decode, encode
from motcua_tracking.adapters.documents import from_document, to_document
from motcua_tracking.adapters.tables import DOSSIER_EVENTS, DOSSIERS, TIMERS
from motcua_tracking.adapters.timers import TIMERS_CHANGED, claim_due_dossiers
from motcua_tracking.domain import (
    SentAlert,
    Timer,
    TimerKind,
    TrackedDossier,
    WorkingCalendar,
    vietnam_time_zone,
)

__all__ = ["DossierStore"]

# Bulk writes go straight to the driver (asyncpg) inside the session's transaction:
# an array-based upsert, COPY for new timers; SQLAlchemy's per-row parameter handling
# would cost more than the deadline arithmetic itself.
_UPSERT = """
INSERT INTO dossiers (code, agency_code, status, is_open, received_at, due_at, horizon_at,
                      document, updated_at)
SELECT u.code, u.agency_code, u.status, u.is_open, u.received_at, u.due_at, u.horizon_at,
       u.document::jsonb, u.updated_at
FROM unnest($1::text[], $2::text[], $3::smallint[], $4::boolean[], $5::timestamptz[],
            $6::timestamptz[], $7::timestamptz[], $8::text[], $9::timestamptz[])
     AS u(code, agency_code, status, is_open, received_at, due_at, horizon_at, document,
          updated_at)
ON CONFLICT (code) DO UPDATE SET
    status = excluded.status, is_open = excluded.is_open, due_at = excluded.due_at,
    horizon_at = excluded.horizon_at, document = excluded.document,
    updated_at = excluded.updated_at
"""
_DELETE_TIMERS = "DELETE FROM timers WHERE id = ANY($1::bigint[])"
_MARK_FIRED = """
UPDATE timers SET fired_at = u.fired_at, alerts = u.alerts::jsonb
FROM unnest($1::bigint[], $2::timestamptz[], $3::text[]) AS u(id, fired_at, alerts)
WHERE timers.id = u.id
"""
_TIMER_COLUMNS = [
    "dossier_code",
    "scope",
    "kind",
    "step_seq",
    "share_percent",
    "due_at",
    "fire_at",
    "fired_at",
    "alerts",
]
_EVENT_COLUMNS = ["dossier_code", "occurred_at", "event_id", "envelope"]


class DossierStore:
    """Dossiers of one transaction: load (locked) by code, save what changed."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, codes: Sequence[str], *, lock: bool = True) -> dict[str, TrackedDossier]:
        """The dossiers among `codes` that exist, locked in code order unless told not to."""
        if not codes:
            return {}
        query = (
            select(DOSSIERS.c.code, cast(DOSSIERS.c.document, Text))
            .where(DOSSIERS.c.code.in_(codes))
            .order_by(DOSSIERS.c.code)
        )
        if lock:
            query = query.with_for_update()
        rows = (await self._session.execute(query)).all()
        dossiers = {code: from_document(code, orjson.loads(doc)) for code, doc in rows}
        if dossiers:
            for timer_row in await self._timer_rows(list(dossiers)):
                dossiers[timer_row.dossier_code].timers.append(_timer(timer_row))
        return dossiers

    async def open_codes(self, agencies: Sequence[str]) -> list[str]:
        """The codes of the open dossiers of `agencies`, in order."""
        query = (
            select(DOSSIERS.c.code)
            .where(DOSSIERS.c.is_open, DOSSIERS.c.agency_code.in_(agencies))
            .order_by(DOSSIERS.c.code)
        )
        return list((await self._session.scalars(query)).all())

    async def open_codes_in_window(
        self, window: tuple[datetime, datetime], after: str, limit: int
    ) -> list[str]:
        """Up to `limit` codes after `after`, in order, of the open dossiers received
        before the window ends whose horizon reaches into it (a calendar change in the
        window may move their deadlines)."""
        query = (
            select(DOSSIERS.c.code)
            .where(
                DOSSIERS.c.is_open,
                DOSSIERS.c.horizon_at >= window[0],
                DOSSIERS.c.received_at < window[1],
                DOSSIERS.c.code > after,
            )
            .order_by(DOSSIERS.c.code)
            .limit(limit)
        )
        return list((await self._session.scalars(query)).all())

    async def claim_due(self, until: datetime, limit: int) -> list[str]:
        """Lock up to `limit` dossiers owning timers due by `until`, skipping dossiers
        locked elsewhere (`claim_due_dossiers`)."""
        return await claim_due_dossiers(self._session, until, limit)

    async def document(self, code: str) -> TrackedDossier | None:
        """One dossier as stored, unlocked (for look-ups)."""
        return (await self.load([code], lock=False)).get(code)

    async def save(
        self,
        dossiers: Iterable[TrackedDossier],
        calendar_for: Callable[[str], WorkingCalendar],
        now: datetime,
    ) -> None:
        """Write the dossiers and their timer changes."""
        rows: list[tuple[Any, ...]] = []
        inserted: list[tuple[Any, ...]] = []
        fired: list[tuple[int, datetime | None, str]] = []
        deleted: list[int] = []
        for dossier in dossiers:
            rows.append(_row(dossier, calendar_for(dossier.agency_code), now))
            for timer in dossier.timers:
                if timer.stored_id is None:
                    inserted.append(_timer_row(dossier.code, timer))
                elif timer.cancelled:
                    deleted.append(timer.stored_id)
                elif timer.changed:
                    fired.append((timer.stored_id, timer.fired_at, _alerts(timer)))
        if not rows:
            return
        driver = await self._driver()
        await driver.execute(_UPSERT, *zip(*rows, strict=True))
        if deleted:
            await driver.execute(_DELETE_TIMERS, deleted)
        if fired:
            await driver.execute(_MARK_FIRED, *zip(*fired, strict=True))
        if inserted:
            await driver.copy_records_to_table("timers", records=inserted, columns=_TIMER_COLUMNS)
        if inserted or any(fired_at is None for _, fired_at, _ in fired):
            await driver.execute("SELECT pg_notify($1, '')", TIMERS_CHANGED)

    async def record(self, envelopes: Sequence[Envelope]) -> None:
        """Keep incoming events applied to dossiers, in the order given (their arrival)."""
        rows = [
            (e.dossier_code, e.occurred_at, e.event_id, encode(e).decode())
            for e in envelopes
            if e.dossier_code is not None
        ]
        if rows:
            driver = await self._driver()
            await driver.copy_records_to_table(
                "dossier_events", records=rows, columns=_EVENT_COLUMNS
            )

    async def history(self, code: str) -> list[Envelope]:
        """A dossier's recorded events in arrival order."""
        query = (
            select(cast(DOSSIER_EVENTS.c.envelope, Text))
            .where(DOSSIER_EVENTS.c.dossier_code == code)
            .order_by(DOSSIER_EVENTS.c.seq)
        )
        return [decode(raw) for raw in (await self._session.scalars(query)).all()]

    async def _driver(self) -> Any:
        connection = await self._session.connection()
        raw = await connection.get_raw_connection()
        return raw.driver_connection

    async def _timer_rows(self, codes: list[str]) -> Sequence[Any]:
        query = select(TIMERS).where(TIMERS.c.dossier_code.in_(codes)).order_by(TIMERS.c.id)
        return (await self._session.execute(query)).all()


def _row(dossier: TrackedDossier, calendar: WorkingCalendar, now: datetime) -> tuple[Any, ...]:
    due = dossier.due(calendar) if dossier.is_open else None
    step_due = dossier.current_step.due_at if dossier.is_open else None
    horizon = max((item for item in (due, step_due) if item is not None), default=None)
    return (
        dossier.code,
        dossier.agency_code,
        int(dossier.status),
        dossier.is_open,
        dossier.clock.received_at,
        due,
        horizon,
        json_text(to_document(dossier)),
        now,
    )


def _timer(row: Any) -> Timer:
    zone = vietnam_time_zone()
    return Timer(
        row.scope,
        TimerKind(row.kind),
        row.step_seq,
        row.share_percent,
        row.due_at.astimezone(zone),
        row.fire_at.astimezone(zone),
        row.fired_at.astimezone(zone) if row.fired_at else None,
        stored_id=row.id,
        sent=[SentAlert(*item) for item in row.alerts],
    )


def _timer_row(code: str, timer: Timer) -> tuple[Any, ...]:
    return (
        code,
        timer.scope,
        timer.kind.value,
        timer.step_seq,
        timer.share_percent,
        timer.due_at,
        timer.fire_at,
        timer.fired_at,
        _alerts(timer),
    )


def _alerts(timer: Timer) -> str:
    return json_text([[a.alert_type, a.event_id, a.unit_code, a.step_code] for a in timer.sent])
