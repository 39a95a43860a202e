"""Handlers filed by event type: looked up by the event's type, one per type."""

from __future__ import annotations

import pytest

from motcua.events import ByEventType, DossierWithdrawn, ResultReturned, SupplementRequested


def test_a_handler_is_found_by_its_events_type_and_named_among_those_applied() -> None:
    handlers: ByEventType[str, str] = ByEventType("handlers")

    @handlers.on(ResultReturned, DossierWithdrawn)
    def ended(context: str, event: ResultReturned | DossierWithdrawn) -> str:
        return f"{context}: {event.event_type}"

    found = handlers.of(ResultReturned())
    assert found is not None and found("seen", ResultReturned()) == "seen: dossier.result-returned"
    assert (
        handlers.of(SupplementRequested(missing_items=("tờ khai",), reason="thiếu", unit_code="MC"))
        is None
    )
    assert handlers.types() == (ResultReturned, DossierWithdrawn)
    assert handlers.names() == {"dossier.result-returned", "dossier.withdrawn"}


def test_a_second_handler_for_a_type_is_refused() -> None:
    handlers: ByEventType[str, str] = ByEventType("translators")
    handlers.on(ResultReturned)(lambda context, event: context)

    with pytest.raises(TypeError, match="ResultReturned has two translators"):
        handlers.on(ResultReturned)(lambda context, event: context)
