"""What the portal service keeps of each event: its type, when it happened and its data.

The data is the event's JSON payload as published, so the history can be rebuilt from
stored facts at any time (backfill, repair) without the event classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["Fact", "in_order", "moment"]


@dataclass(frozen=True, slots=True)
class Fact:
    """One event of a dossier, as stored by the portal service."""

    event_id: str
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    data: Mapping[str, Any]

    def text(self, name: str, default: str = "") -> str:
        """A text field of the data ("" when absent)."""
        value = self.data.get(name)
        return default if value is None else str(value)

    def when(self, name: str) -> datetime | None:
        """A date-time field of the data."""
        return moment(self.data.get(name))


def moment(value: object) -> datetime | None:
    """An ISO 8601 date-time with its offset, as events carry them."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"date-time without an offset: {value!r}")
    return parsed


def in_order(facts: Iterable[Fact]) -> list[Fact]:
    """Facts in the order they happened (decision 9: event time, not arrival time); at
    one instant, what happened at the office before what tracking made of it."""
    return sorted(
        facts,
        key=lambda f: (
            f.occurred_at,
            f.event_type.startswith("tracking."),
            f.recorded_at,
            f.event_id,
        ),
    )
