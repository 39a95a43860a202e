"""What scoring publishes (compacted topic `scoring.indicators.v1`, keyed by scope and period)."""

from __future__ import annotations

from typing import ClassVar

from motcua.events.envelope import Envelope, Event
from motcua.events.topics import INDICATORS, TopicSpec

__all__ = ["IndicatorsUpdated"]


class IndicatorsUpdated(Event):
    """The latest indicator values of one scope and period."""

    event_type: ClassVar[str] = "scoring.indicators-updated"
    topic: ClassVar[TopicSpec] = INDICATORS

    scope: str
    period: str
    values: dict[str, float | int | None]
    revision: int

    def partition_key(self, envelope: Envelope) -> str:
        """`<scope>|<period>`, so compaction keeps the latest values of each."""
        return f"{self.scope}|{self.period}"
