"""Reading and writing what operators look at and set: a dossier's sync state, the queue's
summary, gauges and dead letters, the procedure and unit mappings and the national
catalogue (inside the caller's session or transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_portal.adapters.tables import (
    DOSSIERS,
    NATIONAL_PROCEDURES,
    PROCEDURE_MAP,
    PROGRESS,
    QUEUE,
    UNIT_MAP,
)

__all__ = ["OperatorStore", "QueueGauges", "SyncTotals"]


@dataclass(frozen=True, slots=True)
class QueueGauges:
    """What the sync's gauges show."""

    by_state: dict[str, int]
    oldest_seconds: float | None
    """Real seconds since the oldest change not dead-lettered arrived (None: none)."""
    out_of_sync: int
    awaiting_applicant: int


@dataclass(frozen=True, slots=True)
class SyncTotals:
    """How many received dossiers there are, how many the portal has up to date, how many
    it has at all."""

    dossiers: int
    in_sync: int
    on_portal: int


class OperatorStore:
    """The queries of operators' tasks; every method runs in the session (and its
    transaction, when the caller began one)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- a dossier's sync state ----------------------------------------------------------

    async def dossier(self, code: str) -> Any | None:
        """The dossier's row, or None when no event of it has reached the service."""
        return (await self.session.execute(select(DOSSIERS).where(DOSSIERS.c.code == code))).first()

    async def queued(self, code: str) -> Any | None:
        """The dossier's queue row, or None when it is not queued."""
        return (await self.session.execute(select(QUEUE).where(QUEUE.c.code == code))).first()

    async def progress(self, code: str) -> list[Any]:
        """The steps the portal acknowledged for the dossier, in their order."""
        rows = await self.session.execute(
            select(PROGRESS).where(PROGRESS.c.code == code).order_by(PROGRESS.c.position)
        )
        return list(rows.all())

    # -- the queue as a whole --------------------------------------------------------------

    @staticmethod
    def _received(start: datetime | None, end: datetime | None) -> list[Any]:
        """Dossiers received (in [start, end) when given)."""
        received: list[Any] = [DOSSIERS.c.received_at.is_not(None)]
        if start is not None:
            received.append(DOSSIERS.c.received_at >= start)
        if end is not None:
            received.append(DOSSIERS.c.received_at < end)
        return received

    async def totals(self, start: datetime | None, end: datetime | None) -> SyncTotals:
        """Received dossiers (in [start, end) when given): all, up to date, on the portal."""
        in_sync = DOSSIERS.c.synced_revision >= DOSSIERS.c.revision
        row = (
            await self.session.execute(
                select(
                    func.count(),
                    func.count().filter(in_sync),
                    func.count().filter(DOSSIERS.c.on_portal),
                )
                .select_from(DOSSIERS)
                .where(*self._received(start, end))
            )
        ).one()
        return SyncTotals(row[0], row[1], row[2])

    async def queue_states(self, start: datetime | None, end: datetime | None) -> dict[str, int]:
        """Queued received dossiers (in [start, end) when given) by queue state (states with
        none left out)."""
        rows = await self.session.execute(
            select(QUEUE.c.state, func.count())
            .select_from(QUEUE.join(DOSSIERS, DOSSIERS.c.code == QUEUE.c.code))
            .where(*self._received(start, end))
            .group_by(QUEUE.c.state)
        )
        return {state: n for state, n in rows.all()}

    async def gauges(self) -> QueueGauges:
        """The queue by state, the age of its oldest change waiting (real seconds on the
        database's clock, also when the service runs a simulated one), dossiers out of sync
        and dossiers held for their applicant record."""
        counts: dict[str, int] = dict(
            (
                await self.session.execute(
                    select(QUEUE.c.state, func.count()).group_by(QUEUE.c.state)
                )
            ).all()
        )
        oldest = (
            await self.session.execute(
                select(func.extract("epoch", func.now() - func.min(QUEUE.c.arrived_at))).where(
                    QUEUE.c.state != "dead"
                )
            )
        ).scalar()
        behind = await self.out_of_sync()
        awaiting = (
            await self.session.execute(
                select(func.count()).where(
                    QUEUE.c.state == "held", QUEUE.c.reason == "awaiting_applicant"
                )
            )
        ).scalar_one()
        return QueueGauges(counts, None if oldest is None else float(oldest), behind, awaiting)

    async def out_of_sync(self) -> int:
        """Dossiers whose newest revision the portal has not acknowledged.

        A dossier's change queues it in the same statement (`store._BUMP_AND_QUEUE`), and
        its queue row goes only once the portal acknowledged its newest revision: every
        dossier out of sync has a queue row, so they are counted from the queue, not by
        reading every dossier the portal knows."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(QUEUE.join(DOSSIERS, DOSSIERS.c.code == QUEUE.c.code))
            .where(DOSSIERS.c.synced_revision < DOSSIERS.c.revision)
        )
        return int(count or 0)

    async def dead_letters(self, code: str | None = None) -> list[Any]:
        """Queue rows of the dossiers given up on (or the one of `code`), oldest first."""
        query = select(QUEUE).where(QUEUE.c.state == "dead")
        if code is not None:
            query = query.where(QUEUE.c.code == code)
        rows = await self.session.execute(query.order_by(QUEUE.c.dead_at, QUEUE.c.code))
        return list(rows.all())

    # -- procedures ------------------------------------------------------------------------

    async def procedure_mappings(self) -> list[Any]:
        """Every local procedure's row with the national code it is mapped to, if any."""
        rows = await self.session.execute(
            select(PROCEDURE_MAP).order_by(PROCEDURE_MAP.c.local_code)
        )
        return list(rows.all())

    async def local_name(self, local_code: str) -> str | None:
        """A local procedure's name (None: no such procedure)."""
        name: str | None = (
            await self.session.execute(
                select(PROCEDURE_MAP.c.local_name).where(PROCEDURE_MAP.c.local_code == local_code)
            )
        ).scalar()
        return name

    async def national_name(self, national_code: str) -> str | None:
        """A national procedure's name in the fetched catalogue (None: not in it)."""
        name: str | None = (
            await self.session.execute(
                select(NATIONAL_PROCEDURES.c.name).where(
                    NATIONAL_PROCEDURES.c.code == national_code
                )
            )
        ).scalar()
        return name

    async def national_catalogue(self) -> list[tuple[str, str]]:
        """Every national procedure fetched: (code, name)."""
        rows = await self.session.execute(
            select(NATIONAL_PROCEDURES.c.code, NATIONAL_PROCEDURES.c.name)
        )
        return [(r.code, r.name) for r in rows.all()]

    async def confirm_procedure(
        self,
        local_code: str,
        national_code: str,
        name: str,
        field_code: str,
        field_name: str,
        now: datetime,
    ) -> Any:
        """Set a local procedure's national code (a row for it if it had none); returns the
        row."""
        stmt = insert(PROCEDURE_MAP).values(
            local_code=local_code,
            national_code=national_code,
            national_name=name,
            field_code=field_code,
            field_name=field_name,
            confirmed_at=now,
        )
        return (
            await self.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[PROCEDURE_MAP.c.local_code],
                    set_={
                        "national_code": national_code,
                        "national_name": name,
                        "field_code": field_code,
                        "field_name": field_name,
                        "confirmed_at": now,
                    },
                ).returning(*PROCEDURE_MAP.c)
            )
        ).one()

    async def release_held(self, local_code: str, now: datetime) -> None:
        """Queue again, due now, the held dossiers of a local procedure."""
        affected = select(DOSSIERS.c.code).where(DOSSIERS.c.procedure_code == local_code)
        await self.session.execute(
            update(QUEUE)
            .where(QUEUE.c.state == "held", QUEUE.c.code.in_(affected.scalar_subquery()))
            .values(state="pending", due_at=now, reason=None)
        )

    async def keep_catalogue(self, rows: Sequence[dict[str, str]]) -> None:
        """Store national procedures (code, name, field_code, field_name), replacing those
        fetched before."""
        if not rows:
            return
        stmt = insert(NATIONAL_PROCEDURES).values(list(rows))
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[NATIONAL_PROCEDURES.c.code],
                set_={
                    "name": stmt.excluded.name,
                    "field_code": stmt.excluded.field_code,
                    "field_name": stmt.excluded.field_name,
                    "fetched_at": func.now(),
                },
            )
        )

    # -- units -------------------------------------------------------------------------------

    async def map_unit(self, agency_code: str, unit_code: str) -> None:
        """Set an agency's portal unit code (madonvi)."""
        stmt = insert(UNIT_MAP).values(agency_code=agency_code, unit_code=unit_code)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[UNIT_MAP.c.agency_code], set_={"unit_code": unit_code}
            )
        )

    async def units(self) -> dict[str, str]:
        """Every agency's portal unit code."""
        rows = await self.session.execute(select(UNIT_MAP))
        return {r.agency_code: r.unit_code for r in rows.all()}
