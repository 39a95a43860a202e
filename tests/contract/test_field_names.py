"""One name per concept: what an integrator sends and what the events carry agree.

Each row of `CONCEPTS` is a concept, where a request names it and where an event
names it; the two names must be the same. Records written before a rename still parse.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import orjson
import pytest
from pydantic import BaseModel

from motcua.events import (
    ApologyFiled,
    Applicant,
    ApplicantRecorded,
    DossierReceived,
    DossierRefused,
    DossierTransferred,
    Envelope,
    FinancialObligationPaid,
    ProcessingFinished,
    Proxy,
    SupplementRequested,
    decode,
    encode,
)
from motcua.events.tracking import ApologyIssued, DossierVerdictGiven
from motcua_intake.service.commands import (
    ApologyBody,
    ApplicantBody,
    ObligationPaidBody,
    ProcessingFinishedBody,
    ProxyBody,
    RefusedBody,
    RegisterBody,
    SupplementRequestedBody,
    TransferredBody,
)
from motcua_scoring.entrypoints.schemas import OpenDossier, ResolvedDossier
from motcua_tracking.service.views import (
    ApologyView,
    CitizenApologyView,
    CitizenView,
    DossierView,
)

# concept: (request model, its field), (event model, its field)
CONCEPTS: dict[str, tuple[tuple[type[BaseModel], str], tuple[type[BaseModel], str]]] = {
    "a citizen's ID number": ((ApplicantBody, "national_id"), (Applicant, "national_id")),
    "an organisation's tax code": (
        (ApplicantBody, "organisation_code"),
        (Applicant, "organisation_code"),
    ),
    "a proxy's ID number": ((ProxyBody, "national_id"), (Proxy, "national_id")),
    "the applicant's phone": ((ApplicantBody, "phone"), (Applicant, "phone")),
    "the applicant's email": ((ApplicantBody, "email"), (Applicant, "email")),
    "a proxy's phone": ((ProxyBody, "phone"), (Proxy, "phone")),
    "a contact's phone": (
        (SupplementRequestedBody, "contact_phone"),
        (SupplementRequested, "contact_phone"),
    ),
    "the receiving unit": ((RegisterBody, "unit_code"), (DossierReceived, "unit_code")),
    "the unit refusing": ((RefusedBody, "unit_code"), (DossierRefused, "unit_code")),
    "the unit finishing": (
        (ProcessingFinishedBody, "unit_code"),
        (ProcessingFinished, "unit_code"),
    ),
    "the unit apologising": ((ApologyBody, "unit_code"), (ApologyFiled, "unit_code")),
    "a transfer's first unit": ((TransferredBody, "from_unit"), (DossierTransferred, "from_unit")),
    "a transfer's step": ((TransferredBody, "step_code"), (DossierTransferred, "step_code")),
    "the new appointment": (
        (ApologyBody, "new_appointment_at"),
        (ApologyFiled, "new_appointment_at"),
    ),
    "who signed the apology": ((ApologyBody, "signed_by"), (ApologyFiled, "signed_by")),
    "when the apology was filed": ((ApologyBody, "filed_at"), (ApologyIssued, "filed_at")),
    "when the dossier was received": (
        (RegisterBody, "received_at"),
        (ApologyIssued, "received_at"),
    ),
    "how a fee was paid": ((ObligationPaidBody, "method"), (FinancialObligationPaid, "method")),
}

# concept: (response model, its field), (event model, its field)
ANSWERS: dict[str, tuple[tuple[type[BaseModel], str], tuple[type[BaseModel], str]]] = {
    "when the apology was filed": ((ApologyView, "filed_at"), (ApologyIssued, "filed_at")),
    "the due time the apology replaced": (
        (ApologyView, "original_due_at"),
        (ApologyIssued, "original_due_at"),
    ),
    "the apology's new appointment": (
        (ApologyView, "new_appointment_at"),
        (ApologyIssued, "new_appointment_at"),
    ),
    "when the citizen's apology was filed": (
        (CitizenApologyView, "filed_at"),
        (ApologyIssued, "filed_at"),
    ),
    "an official's view of the new appointment": (
        (DossierView, "new_appointment_at"),
        (ApologyIssued, "new_appointment_at"),
    ),
    "a citizen's view of the new appointment": (
        (CitizenView, "new_appointment_at"),
        (ApologyIssued, "new_appointment_at"),
    ),
    "the new appointment a verdict found": (
        (ResolvedDossier, "new_appointment_at"),
        (DossierVerdictGiven, "new_appointment_at"),
    ),
    "an open dossier's agency": ((OpenDossier, "agency_code"), (Envelope, "agency_code")),
    "a resolved dossier's unit": ((ResolvedDossier, "unit_code"), (ApologyIssued, "unit_code")),
}


@pytest.mark.parametrize("concept", sorted(CONCEPTS))
def test_a_concept_has_one_name_in_requests_and_events(concept: str) -> None:
    (request, asked), (event, carried) = CONCEPTS[concept]
    assert asked in request.model_fields, f"{request.__name__} has no {asked!r}"
    assert carried in event.model_fields, f"{event.__name__} has no {carried!r}"
    assert asked == carried, f"{concept}: requests say {asked!r}, events say {carried!r}"


@pytest.mark.parametrize("concept", sorted(ANSWERS))
def test_a_concept_has_one_name_in_responses_and_events(concept: str) -> None:
    (answer, shown), (event, carried) = ANSWERS[concept]
    assert shown in answer.model_fields, f"{answer.__name__} has no {shown!r}"
    assert carried in event.model_fields, f"{event.__name__} has no {carried!r}"
    assert shown == carried, f"{concept}: responses say {shown!r}, events say {carried!r}"


def test_a_renamed_response_field_is_still_returned_under_its_former_name() -> None:
    at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    view = ApologyView(
        reason="r", original_due_at=at, new_appointment_at=at, filed_at=at, late=False
    ).model_dump(mode="json")
    assert view["issued_at"] == view["filed_at"] == "2026-11-20T08:00:00+07:00"
    assert view["original_appointment_at"] == view["original_due_at"]


def test_no_event_field_keeps_an_old_name() -> None:
    for model in (Applicant, Proxy):
        assert "id_number" not in model.model_json_schema()["properties"]


def _envelope(event_type: str, data: dict[str, Any], version: int = 1) -> bytes:
    at = datetime(2026, 6, 5, 9, 0, tzinfo=UTC).isoformat()
    envelope = {
        "event_id": str(uuid4()),
        "event_type": event_type,
        "schema_version": version,
        "occurred_at": at,
        "recorded_at": at,
        "dossier_code": "SXD-260605-0001",
        "agency_code": "SXD",
        "correlation_id": str(uuid4()),
        "causation_id": None,
        "producer": "intake",
        "data": data,
    }
    return orjson.dumps(envelope)


def _recorded(applicant: dict[str, Any], proxy: dict[str, Any] | None = None) -> bytes:
    return _envelope("applicant.recorded", {"applicant": applicant, "proxy": proxy})


_PROCEDURE = {
    "code": "1.001",
    "name": "Cấp phép",
    "field": "Xây dựng",
    "processing_time": {"unit": "working_days", "amount": "5"},
}


def test_a_record_written_with_the_old_names_still_parses() -> None:
    raw = _recorded(
        {"name": "Nguyễn Văn A", "id_number": "001099012345"},
        {"name": "Trần Thị B", "id_number": "001199000001"},
    )
    data = decode(raw).data
    assert isinstance(data, ApplicantRecorded)
    assert data.applicant.national_id == "001099012345"
    assert data.applicant.id_number == "001099012345"
    assert data.proxy is not None and data.proxy.national_id == "001199000001"


def test_an_old_organisation_record_reads_its_tax_code() -> None:
    raw = _recorded({"name": "Công ty A", "kind": "organisation", "id_number": "0101234567"})
    data = decode(raw).data
    assert isinstance(data, ApplicantRecorded)
    assert data.applicant.organisation_code == "0101234567"
    assert data.applicant.national_id is None


def test_what_is_written_now_uses_the_new_names() -> None:
    raw = _recorded({"name": "Nguyễn Văn A", "national_id": "001099012345"}, {"name": "B"})
    written = orjson.loads(decode(raw).model_dump_json())["data"]
    assert written["applicant"]["national_id"] == "001099012345"
    assert "id_number" not in written["applicant"]
    assert "id_number" not in written["proxy"]


def test_a_reception_written_with_the_applicant_is_read_without_it() -> None:
    """Version 1 of dossier.received carried the applicant: it is read as the current
    version, so no consumer keeps personal data from the dossier log (docs/privacy.md)."""
    old = {
        "procedure": _PROCEDURE,
        "unit_code": "MC",
        "channel": "counter",
        "applicant": {"name": "Công ty A", "kind": "organisation", "id_number": "0101234567"},
        "proxy": {"name": "Trần Thị B"},
    }
    envelope = decode(_envelope("dossier.received", old))
    assert isinstance(envelope.data, DossierReceived) and envelope.schema_version == 3
    assert envelope.data.applicant_kind == "organisation"
    written = encode(envelope).decode()
    assert "0101234567" not in written and "Trần" not in written


def test_a_reception_that_copied_its_procedure_keeps_those_terms() -> None:
    """Version 2 copied its procedure and named no revision: read as the current version,
    the copy is kept (`copied_terms`), and storing and reading it again loses nothing."""
    old = {"procedure": _PROCEDURE, "unit_code": "MC", "channel": "counter"}
    envelope = decode(_envelope("dossier.received", old, version=2))
    assert isinstance(envelope.data, DossierReceived) and envelope.schema_version == 3
    data = envelope.data
    assert (data.procedure_code, data.procedure_revision) == (_PROCEDURE["code"], 0)
    assert data.copied_terms is not None and data.copied_terms.name == _PROCEDURE["name"]
    again = decode(encode(envelope))
    assert again.data == data


def test_a_reception_written_now_names_its_revision_and_copies_nothing() -> None:
    data = DossierReceived(
        procedure_code="1.001234", procedure_revision=3, unit_code="MC", channel="counter"
    )
    written = orjson.loads(data.model_dump_json())
    assert written["procedure_revision"] == 3 and written["copied_terms"] is None
    assert "procedure" not in written


def test_an_applicant_without_its_id_is_refused() -> None:
    with pytest.raises(ValueError, match="organisation_code"):
        Applicant(name="Công ty A", kind="organisation", national_id="001099012345")
