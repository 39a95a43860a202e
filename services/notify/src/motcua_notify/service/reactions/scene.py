"""What every reaction works with: the scene of one event, and the registry of handlers.

A handler takes the scene (the dossier's view, the event's envelope, the units directory,
the links and the procedures' terms) and the event, and returns the new view with the
messages it calls for. Each is filed with `on` under the event types it takes; `react`
looks the handler up by the event's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.catalogue import Procedures
from motcua.events import ByEventType, Envelope, Event
from motcua_notify.domain.directory import Directory
from motcua_notify.domain.dossiers import DossierView, FactKind
from motcua_notify.domain.planning import MessageRequest
from motcua_notify.domain.wording import UNKNOWN
from motcua_notify.service.recording import Addressed
from motcua_notify.settings import LinkSettings

__all__ = ["Outcome", "Scene", "handled", "new_appointment", "on", "react"]


@dataclass(frozen=True)
class Scene:
    """One event as a handler sees it, with what it needs to address and word messages."""

    view: DossierView
    envelope: Envelope
    directory: Directory
    links: LinkSettings
    procedures: Procedures

    @property
    def at(self) -> datetime:
        """When the event happened."""
        moment: datetime = self.envelope.occurred_at
        return moment

    def unit_name(self, code: str | None) -> str:
        """The name of a unit, by default of the unit holding (else receiving) the dossier."""
        return self.directory.name_of(code or self.view.holding_unit or self.view.receiving_unit)

    @property
    def procedure(self) -> str:
        """The name of the dossier's procedure."""
        return self.view.procedure_name or UNKNOWN

    @property
    def dossier_url(self) -> str:
        """The officials' page of the dossier."""
        return self.links.dossier(self.view.code)

    def addressed(self, request: MessageRequest, unit_code: str | None = None) -> Addressed:
        """A message about the dossier, filed under its agency and the event's correlation."""
        return Addressed(
            request,
            self.view.code,
            unit_code=unit_code,
            agency_code=self.view.agency_code or self.envelope.agency_code,
            correlation_id=self.envelope.correlation_id,
        )


Outcome = tuple[DossierView, list[Addressed]]
"""The new view of the dossier and the messages the event calls for."""

_HANDLERS: ByEventType[Scene, Outcome] = ByEventType("handlers")
"""The handler of each event type."""

on = _HANDLERS.on
"""Register the decorated function as the handler of these event types (mypy checks that
it takes events of these types; of several, a type they all share)."""


def react(
    view: DossierView,
    envelope: Envelope,
    directory: Directory,
    links: LinkSettings,
    procedures: Procedures,
) -> Outcome:
    """Apply one event to a dossier's view; return the new view and the messages it calls
    for. `procedures` holds the terms of the revisions the batch's receptions name."""
    handler = _HANDLERS.of(envelope.data)
    if handler is None:
        return view, []
    return handler(Scene(view, envelope, directory, links, procedures), envelope.data)


def handled() -> tuple[type[Event], ...]:
    """The event types registered so far."""
    return _HANDLERS.types()


def handled_names() -> frozenset[str]:
    """Their names (`event_type`)."""
    return _HANDLERS.names()


def new_appointment(at: datetime) -> Mapping[FactKind, Mapping[str, Any]]:
    """The facts of an appointment moved to `at`: the dossier is due then too."""
    return {FactKind.APPOINTMENT: {"appointment_at": at}, FactKind.DUE: {"due_at": at}}
