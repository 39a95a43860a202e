"""The procedure catalogue (compacted topic `intake.procedures.v1`, keyed by procedure code)."""

from __future__ import annotations

from typing import ClassVar

from motcua.events.envelope import Envelope, Event
from motcua.events.topics import CATALOGUE, TopicSpec
from motcua.events.values import ProcedureTerms

__all__ = ["ProcedureUpdated"]


class ProcedureUpdated(Event):
    """A procedure was created or changed; the latest per code is what holds."""

    event_type: ClassVar[str] = "catalogue.procedure-updated"
    topic: ClassVar[TopicSpec] = CATALOGUE

    procedure: ProcedureTerms
    competent_agency: str
    fee_vnd: int = 0
    revision: int = 1

    def partition_key(self, envelope: Envelope) -> str:
        """Keyed by procedure code so compaction keeps the latest version."""
        return self.procedure.code
