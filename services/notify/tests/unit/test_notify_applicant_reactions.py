"""The applicant comes apart from the dossier's events: any order gives one receipt; an
erasure leaves nothing to write to the citizen and is not undone by an older record."""

from datetime import UTC, datetime, timedelta
from itertools import permutations

import pytest

from motcua.events import (
    ApologyRequired,
    Applicant,
    ApplicantErased,
    ApplicantRecorded,
    Channel,
    Consent,
    DeadlineSet,
    Envelope,
    Event,
    ProcedureTerms,
    ProcessingTime,
    SupplementRequested,
)
from motcua.testing.catalogue import procedures_named, reception
from motcua_notify.domain.directory import Directory, UnitContact
from motcua_notify.domain.dossiers import DossierView
from motcua_notify.domain.messages import Audience, MessageType
from motcua_notify.service.reactions import react
from motcua_notify.settings import LinkSettings

CODE = "STP-261120-00000001"
AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
APPOINTMENT = AT + timedelta(days=14)
PROCEDURE = ProcedureTerms(
    code="1.001877",
    name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    field="Lý lịch tư pháp",
    processing_time=ProcessingTime(unit="working_days", amount=10),
)
DIRECTORY = Directory([UnitContact("STP.MC", "STP", "Bộ phận Một cửa Sở Tư pháp", "one_stop")])
LINKS = LinkSettings(
    lookup_url="https://tra-cuu",
    dossier_url="https://ho-so/{code}",
    dashboard_url="https://don-vi/{unit}",
)
PERSON = Applicant(
    name="Nguyễn Văn An",
    national_id="025090001234",
    email="nguyen.van.an@example.vn",
    consent=Consent(email=True),
)


def wrap(data: Event, at: datetime = AT) -> Envelope:
    return Envelope.wrap(
        data, producer="intake", occurred_at=at, now=at, dossier_code=CODE, agency_code="STP"
    )


RECEIVED = wrap(reception(PROCEDURE, unit_code="STP.MC", channel=Channel.COUNTER))
RECORDED = wrap(ApplicantRecorded(applicant=PERSON))
DEADLINE = wrap(
    DeadlineSet(
        appointment_at=APPOINTMENT,
        counting_from=AT,
        unit_code="STP.MC",
        procedure_code=PROCEDURE.code,
        procedure_name=PROCEDURE.name,
    )
)
ERASED = wrap(ApplicantErased(reason="request"), AT + timedelta(days=1))


def supplement() -> Envelope:
    data = SupplementRequested(missing_items=("Tờ khai",), reason="Thiếu", unit_code="STP.MC")
    return wrap(data, AT + timedelta(hours=2))


def apply(view: DossierView, *envelopes: Envelope) -> tuple[DossierView, list]:
    asked = []
    for envelope in envelopes:
        view, more = react(view, envelope, DIRECTORY, LINKS, procedures_named(envelopes))
        asked += more
    return view, asked


@pytest.mark.parametrize("order", list(permutations((RECEIVED, RECORDED, DEADLINE))))
def test_the_receipt_goes_once_whatever_the_order(order):
    view, asked = apply(DossierView(CODE), *order, *order)  # each read twice

    [receipt] = asked
    assert receipt.request.message_type is MessageType.RECEIPT
    assert receipt.request.source_event_id == str(RECEIVED.event_id)
    assert receipt.request.context.applicant_name == "Nguyễn Văn An"
    assert receipt.request.context.procedure_name == PROCEDURE.name
    assert view.receipt_event_id == str(RECEIVED.event_id)


def test_citizen_messages_wait_for_the_applicant_then_go():
    waiting, asked = apply(DossierView(CODE), RECEIVED, DEADLINE, supplement())
    assert asked == []
    assert len(waiting.parked) == 1

    view, asked = apply(waiting, RECORDED)
    assert [a.request.message_type for a in asked] == [
        MessageType.RECEIPT,
        MessageType.SUPPLEMENT_REQUEST,
    ]
    assert view.parked == ()


def test_an_erased_applicant_is_not_brought_back_nor_waited_for():
    waiting, _ = apply(DossierView(CODE), RECEIVED, DEADLINE, supplement())
    erased, asked = apply(waiting, ERASED)
    assert asked == []
    assert (erased.citizen, erased.parked, erased.erased_at) == (None, (), ERASED.occurred_at)

    # An older record read again, and citizen events after the erasure: nothing at all.
    view, asked = apply(erased, RECORDED, supplement(), RECEIVED, DEADLINE)
    assert asked == []
    assert (view.citizen, view.parked, view.receipt_event_id) == (None, (), None)


def test_officials_are_still_told_after_the_erasure():
    known, _ = apply(DossierView(CODE), RECEIVED, RECORDED, DEADLINE)
    erased, _ = apply(known, ERASED)
    _, [told] = apply(erased, wrap(ApologyRequired(unit_code="STP.MC", due_at=APPOINTMENT)))
    assert told.request.message_type.audience is Audience.OFFICIAL
    assert told.request.context.applicant_name == "—"
