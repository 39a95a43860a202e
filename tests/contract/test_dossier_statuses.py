"""Intake and tracking give a dossier the same DVCQG status after every dossier event.

Intake refuses an event its dossier's status does not allow and records the status the
shared lifecycle table gives (`motcua.lifecycle.apply`); tracking follows the events
intake published with its own handlers. Each path below is fed to both.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import get_args

import pytest

from motcua.clock import ManualClock
from motcua.events import (
    ApologyFiled,
    Channel,
    DossierEvent,
    DossierReceived,
    DossierReceivedV1,
    DossierReceivedV2,
    DossierRefused,
    DossierTransferred,
    DossierWithdrawn,
    Envelope,
    FinancialObligationPaid,
    FinancialObligationSet,
    ProcedureTerms,
    ProcessingFinished,
    ProcessingTime,
    ResultReturned,
    SatisfactionRated,
    SupplementReceived,
    SupplementRequested,
    event_classes,
    lifecycle_step,
)
from motcua.lifecycle import LifecycleStep, apply
from motcua.testing.catalogue import procedures_named, reception
from motcua.vocabulary import DossierStatus
from motcua_tracking.domain import vietnam_time_zone
from motcua_tracking.service import CalendarBook, DossierTracker, TrackingContext
from motcua_tracking.settings import TrackingSettings

S = DossierStatus
VN = vietnam_time_zone()
RECEIVED_AT = datetime(2026, 6, 1, 9, 0, tzinfo=VN)
TERMS = ProcedureTerms(
    code="2.001417",
    name="Cấp Phiếu lý lịch tư pháp",
    field="Lý lịch tư pháp",
    processing_time=ProcessingTime(unit="working_days", amount=Decimal(10)),
)

TRANSFERRED = DossierTransferred(from_unit="STP.MC", to_unit="STP.HCTP")
HANDED_ON = DossierTransferred(from_unit="STP.HCTP", to_unit="STP.LD")
ASKED = SupplementRequested(missing_items=("CCCD",), reason="thiếu", unit_code="STP.HCTP")
SUPPLIED = SupplementReceived(items=("CCCD",))
FEE = FinancialObligationSet(amount_vnd=200_000, description="lệ phí")
PAID = FinancialObligationPaid(amount_vnd=200_000, method="counter")
FINISHED = ProcessingFinished(outcome="approved", unit_code="STP.HCTP")
RETURNED = ResultReturned()
RATED = SatisfactionRated(score=5)
APOLOGY = ApologyFiled(
    unit_code="STP.HCTP",
    reason="cần xác minh",
    new_appointment_at=datetime(2026, 6, 18, 17, 0, tzinfo=VN),
)


def refused(stage: str) -> DossierRefused:
    return DossierRefused(stage=stage, reasons=("không đủ điều kiện",), unit_code="STP.HCTP")


def withdrawn(kind: str) -> DossierWithdrawn:
    return DossierWithdrawn(kind=kind, reason="lý do")


PATHS: dict[str, tuple[tuple[DossierEvent, ...], DossierStatus]] = {
    "received": ((), S.RECEIVED),
    "handed over twice": ((TRANSFERRED, HANDED_ON), S.PROCESSING),
    "withdrawn at the citizen's request": ((TRANSFERRED, withdrawn("withdrawn")), S(7)),
    "withdrawn before any handover": ((withdrawn("withdrawn"),), S(7)),
    "stopped, conditions not met": ((TRANSFERRED, withdrawn("stopped")), S(8)),
    "stopped while a supplement is awaited": ((TRANSFERRED, ASKED, withdrawn("stopped")), S(8)),
    "refused at reception": ((refused("reception"),), S(3)),
    "refused after appraisal": ((TRANSFERRED, refused("appraisal")), S(9)),
    "a refusal after appraisal handed back": (
        (TRANSFERRED, ASKED, refused("appraisal"), RETURNED),
        S(10),
    ),
    "supplement requested": ((TRANSFERRED, ASKED), S(5)),
    "supplement received": ((TRANSFERRED, ASKED, SUPPLIED), S(4)),
    "fee set": ((TRANSFERRED, FEE), S(6)),
    "fee paid": ((TRANSFERRED, FEE, PAID), S(4)),
    "apology during processing": ((TRANSFERRED, APOLOGY), S(4)),
    "finished": ((TRANSFERRED, FEE, PAID, FINISHED), S(9)),
    "returned and rated": ((TRANSFERRED, FINISHED, RETURNED, RATED), S(10)),
    "finished at the counter": ((FINISHED,), S(9)),
}


def intake_statuses(events: tuple[DossierEvent, ...]) -> list[DossierStatus]:
    status = apply(S.NEWLY_REGISTERED, LifecycleStep.RECEIVED)
    seen = [status]
    for event in events:
        status = apply(status, lifecycle_step(event))
        seen.append(status)
    return seen


def tracking_statuses(events: tuple[DossierEvent, ...]) -> list[DossierStatus]:
    settings = TrackingSettings()
    calendars = CalendarBook.from_settings(settings.calendar)
    tracker = DossierTracker(settings, TrackingContext(ManualClock(RECEIVED_AT), calendars))
    calendar = calendars.for_agency("STP")
    received = Envelope.wrap(
        reception(TERMS, unit_code="STP.MC", channel=Channel.COUNTER),
        producer="intake",
        occurred_at=RECEIVED_AT,
        now=RECEIVED_AT,
        dossier_code="STP-260601-0001",
        agency_code="STP",
    )
    dossier, _ = tracker.receive(received, procedures_named([received]))
    seen = [dossier.status]
    for hour, event in enumerate(events, start=1):
        at = RECEIVED_AT + timedelta(hours=hour)
        # The dispatch tracking's consumer goes through for this event type.
        tracker.follow(dossier, event, at=at, now=at, calendar=calendar)
        seen.append(dossier.status)
    return seen


@pytest.mark.parametrize(("events", "final"), PATHS.values(), ids=PATHS.keys())
def test_intake_and_tracking_agree_after_every_event(
    events: tuple[DossierEvent, ...], final: DossierStatus
) -> None:
    statuses = intake_statuses(events)
    assert statuses[-1] is final
    assert tracking_statuses(events) == statuses


def variants(model: type[DossierEvent]) -> list[str | None]:
    """The values of the field that splits an event type into steps (None if none)."""
    for name in ("stage", "kind"):
        field = model.model_fields.get(name)
        if field is not None:
            return list(get_args(field.annotation))
    return [None]


def variant_of(event: DossierEvent) -> str | None:
    return next((getattr(event, name) for name in ("stage", "kind") if hasattr(event, name)), None)


def test_every_dossier_event_type_and_variant_is_fed_through_both() -> None:
    # Versions 1 and 2 of dossier.received are read as DossierReceived (version 3).
    older = (DossierReceivedV1, DossierReceivedV2)
    models = [m for m in event_classes() if issubclass(m, DossierEvent) and m not in older]
    fed = {(type(e), variant_of(e)) for events, _ in PATHS.values() for e in events}
    assert fed | {(DossierReceived, None)} == {(m, v) for m in models for v in variants(m)}
    steps = {lifecycle_step(e) for events, _ in PATHS.values() for e in events}
    assert steps | {LifecycleStep.RECEIVED} == set(LifecycleStep)
