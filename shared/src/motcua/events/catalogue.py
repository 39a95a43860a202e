"""The procedure catalogue (topic `intake.procedures.v1`, keyed by procedure code, every
revision kept)."""

from __future__ import annotations

from typing import ClassVar

from motcua.events.envelope import Envelope, Event
from motcua.events.topics import CATALOGUE, TopicSpec
from motcua.events.values import ProcedureTerms

__all__ = ["ProcedureUpdated"]


class ProcedureUpdated(Event):
    """A procedure was created or changed: its revision `revision`. The newest revision
    is what new receptions follow; a reception keeps the one it names."""

    event_type: ClassVar[str] = "catalogue.procedure-updated"
    topic: ClassVar[TopicSpec] = CATALOGUE

    procedure: ProcedureTerms
    competent_agency: str
    fee_vnd: int = 0
    revision: int = 1

    def partition_key(self, envelope: Envelope) -> str:
        """Keyed by procedure code, so a procedure's revisions are read in order."""
        return self.procedure.code
