"""Reading the delivery log, for officials: by dossier, by recipient address, or in figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import Sessions
from motcua_notify.adapters.agency_store import agency_names
from motcua_notify.adapters.notification_store import count_messages, list_messages
from motcua_notify.adapters.withdrawal_store import count_withdrawals
from motcua_notify.domain.privacy import address_digest, normalise_address

__all__ = ["DeliveryLog", "Figures"]


@dataclass(frozen=True)
class Figures:
    """Counts of the log: messages per type and status, withdrawn alerts per type and outcome."""

    messages: list[tuple[str, str, int]]
    withdrawals: list[tuple[str, str, int]]


class DeliveryLog:
    """Looks rows up; an address is matched through its keyed digest, never stored twice."""

    def __init__(self, sessions: Sessions, recipient_key: bytes) -> None:
        self._sessions = sessions
        self._key = recipient_key

    async def for_dossier(self, dossier_code: str, limit: int) -> list[dict[str, Any]]:
        """Every message about a dossier, newest first."""
        async with self._sessions() as session:
            return await _named(
                session, await list_messages(session, dossier_code=dossier_code, limit=limit)
            )

    async def for_recipient(self, address: str, limit: int) -> list[dict[str, Any]]:
        """Every message to an address (email, phone in any usual form, or webhook URL)."""
        digest = address_digest(self._key, normalise_address(address))
        async with self._sessions() as session:
            return await _named(
                session, await list_messages(session, recipient_hash=digest, limit=limit)
            )

    async def figures(self, since: datetime | None) -> Figures:
        """How many messages of each type ended in each status, and how many alerts were
        withdrawn with what outcome (written since a time, or ever)."""
        async with self._sessions() as session:
            messages = await count_messages(session, since)
            withdrawals = await count_withdrawals(session, since)
        return Figures(messages, withdrawals)


async def _named(session: AsyncSession, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with the agency's and the unit's names as intake last published them."""
    names = await agency_names(
        session, (r["agency_code"] for r in rows), (r["unit_code"] for r in rows)
    )
    return [
        {
            **row,
            "agency_name": names.agencies.get(row["agency_code"] or ""),
            "unit_name": names.units.get(row["unit_code"] or ""),
        }
        for row in rows
    ]
