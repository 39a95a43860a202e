"""The shapes of what callers send: HTTP bodies, Kafka commands and NDJSON import lines.

Shape only (types, lengths, enumerations); the rules (identity numbers, contacts, times,
agencies, the status machine) are checked by the service so every entry point refuses
the same things with the same codes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from motcua.events import Channel
from motcua.http import Line, Paragraph

__all__ = [
    "ApologyBody",
    "ApologyLine",
    "ApplicantBody",
    "ComponentBody",
    "Consent",
    "DossierCommand",
    "EventBody",
    "EventLine",
    "FileApologyCommand",
    "ImportLine",
    "IssueKeyBody",
    "ProcedureBody",
    "ProxyBody",
    "RecordEventCommand",
    "RegisterBody",
    "RegisterDossierCommand",
    "RegistrationLine",
]

# Every text refuses control characters; only the long free texts (notes, reasons,
# descriptions) may span lines.
Text = Annotated[Line, Field(min_length=1, max_length=500)]
Code = Annotated[Line, Field(min_length=1, max_length=64)]
LongText = Annotated[Paragraph, Field(min_length=1, max_length=4000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _example(example: dict[str, Any]) -> ConfigDict:
    """A body's settings with the example the OpenAPI document shows."""
    return ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [example]})


class Consent(_Body):
    """Channels the applicant agreed to be notified on."""

    email: bool = False
    sms: bool = False
    zalo: bool = False


class ApplicantBody(_Body):
    """The citizen (12-digit citizen ID) or organisation (tax code) the dossier is for."""

    name: Annotated[Line, Field(min_length=1, max_length=200)]
    kind: Literal["citizen", "organisation"] = "citizen"
    national_id: Annotated[Line, Field(max_length=32)] | None = None
    organisation_code: Annotated[Line, Field(max_length=32)] | None = None
    phone: Annotated[Line, Field(max_length=32)] | None = None
    email: Annotated[Line, Field(max_length=320)] | None = None
    address: Annotated[Line, Field(max_length=500)] | None = None
    consent: Consent = Consent()


class ProxyBody(_Body):
    """Someone handing the dossier in for the applicant."""

    name: Annotated[Line, Field(min_length=1, max_length=200)]
    national_id: Annotated[Line, Field(max_length=32)] | None = None
    phone: Annotated[Line, Field(max_length=32)] | None = None


class ComponentBody(_Body):
    """A paper handed in."""

    name: Annotated[Line, Field(min_length=1, max_length=300)]
    copies: Annotated[int, Field(ge=1, le=1000)] = 1
    original: bool = False


class RegisterBody(_Body):
    """A dossier received at the counter or online (`POST /v1/dossiers`)."""

    model_config = _example(
        {
            "procedure_code": "1.001599",
            "agency_code": "SXD",
            "unit_code": "SXD.MC",
            "channel": "counter",
            "applicant": {
                "name": "Nguyễn Văn An",
                "national_id": "001099012345",
                "phone": "0912345678",
                "email": "an.nguyen@example.vn",
                "consent": {"email": True, "sms": True},
            },
            "components": [{"name": "Đơn đề nghị cấp giấy phép xây dựng", "original": True}],
            "received_at": "2026-06-05T09:15:00+07:00",
        }
    )

    dossier_code: Code | None = Field(
        default=None, description="The counter software's own code; issued here when absent."
    )
    procedure_code: Code
    agency_code: Code = Field(description="The receiving agency; it prefixes issued codes.")
    unit_code: Code = Field(description="The receiving unit of that agency.")
    channel: Channel
    applicant: ApplicantBody
    proxy: ProxyBody | None = None
    components: Annotated[list[ComponentBody], Field(max_length=200)] = Field(default_factory=list)
    received_at: datetime = Field(description="Reception time, with its UTC offset.")
    digitised: bool = False
    result_delivery: Literal["counter", "postal", "online"] = "counter"


class _Event(_Body):
    occurred_at: datetime = Field(description="When it happened at the office, with offset.")


class TransferredBody(_Event):
    """Handed over to another unit (a row of the control slip)."""

    model_config = _example(
        {
            "type": "transferred",
            "occurred_at": "2026-06-05T10:00:00+07:00",
            "from_unit": "SXD.MC",
            "to_unit": "SXD.QLXD",
            "step_code": "THAM_DINH",
        }
    )

    type: Literal["transferred"]
    from_unit: Code
    to_unit: Code
    step_code: Code | None = None
    note: LongText | None = None


class SupplementRequestedBody(_Event):
    """The citizen is asked for missing papers (form 02)."""

    model_config = _example(
        {
            "type": "supplement_requested",
            "occurred_at": "2026-06-08T14:00:00+07:00",
            "missing_items": ["Bản vẽ thiết kế"],
            "reason": "Thiếu bản vẽ thiết kế có chữ ký của chủ đầu tư",
            "unit_code": "SXD.QLXD",
            "contact_phone": "02363822222",
        }
    )

    type: Literal["supplement_requested"]
    missing_items: Annotated[list[Text], Field(min_length=1, max_length=100)]
    reason: LongText
    unit_code: Code
    contact_name: Text | None = None
    contact_phone: Annotated[Line, Field(max_length=32)] | None = None


class SupplementReceivedBody(_Event):
    """The missing papers arrived."""

    model_config = _example(
        {
            "type": "supplement_received",
            "occurred_at": "2026-06-10T08:30:00+07:00",
            "items": ["Bản vẽ thiết kế"],
            "unit_code": "SXD.MC",
        }
    )

    type: Literal["supplement_received"]
    items: Annotated[list[Text], Field(max_length=100)] = Field(default_factory=list)
    unit_code: Code | None = None


class RefusedBody(_Event):
    """Refused with written reasons (form 03)."""

    model_config = _example(
        {
            "type": "refused",
            "occurred_at": "2026-06-05T10:00:00+07:00",
            "stage": "appraisal",
            "reasons": ["Công trình không phù hợp quy hoạch"],
            "unit_code": "SXD.QLXD",
        }
    )

    type: Literal["refused"]
    stage: Literal["reception", "appraisal"]
    reasons: Annotated[list[LongText], Field(min_length=1, max_length=50)]
    unit_code: Code


class ObligationSetBody(_Event):
    """A fee or tax is due before the result."""

    model_config = _example(
        {
            "type": "financial_obligation_set",
            "occurred_at": "2026-06-09T09:00:00+07:00",
            "amount_vnd": 150000,
            "description": "Lệ phí cấp giấy phép xây dựng",
        }
    )

    type: Literal["financial_obligation_set"]
    amount_vnd: Annotated[int, Field(ge=0)]
    description: LongText


class ObligationPaidBody(_Event):
    """The fee or tax was paid."""

    model_config = _example(
        {
            "type": "financial_obligation_paid",
            "occurred_at": "2026-06-09T15:00:00+07:00",
            "amount_vnd": 150000,
            "method": "online",
        }
    )

    type: Literal["financial_obligation_paid"]
    amount_vnd: Annotated[int, Field(ge=0)]
    method: Literal["online", "counter", "bank_transfer"]


class ProcessingFinishedBody(_Event):
    """Processing finished with an outcome."""

    model_config = _example(
        {
            "type": "processing_finished",
            "occurred_at": "2026-06-12T16:00:00+07:00",
            "outcome": "approved",
            "unit_code": "SXD.QLXD",
            "e_result_issued": True,
        }
    )

    type: Literal["processing_finished"]
    outcome: Literal["approved", "rejected"]
    unit_code: Code
    e_result_issued: bool = False
    note: LongText | None = None


class ResultReturnedBody(_Event):
    """The result was handed to the citizen."""

    model_config = _example(
        {
            "type": "result_returned",
            "occurred_at": "2026-06-15T09:00:00+07:00",
            "method": "counter",
        }
    )

    type: Literal["result_returned"]
    method: Literal["counter", "postal", "online"] = "counter"


class WithdrawnBody(_Event):
    """Withdrawn at the citizen's request (status 7) or stopped, conditions not met (8)."""

    model_config = _example(
        {
            "type": "withdrawn",
            "occurred_at": "2026-06-06T10:00:00+07:00",
            "kind": "withdrawn",
            "reason": "Công dân xin rút hồ sơ",
        }
    )

    type: Literal["withdrawn"]
    kind: Literal["withdrawn", "stopped"] = "withdrawn"
    reason: LongText


class SatisfactionRatedBody(_Event):
    """The citizen's rating, 1 (very unhappy) to 5 (very happy)."""

    model_config = _example(
        {
            "type": "satisfaction_rated",
            "occurred_at": "2026-06-15T09:10:00+07:00",
            "score": 5,
        }
    )

    type: Literal["satisfaction_rated"]
    score: Annotated[int, Field(ge=1, le=5)]
    complaint: bool = False


EventBody = Annotated[
    TransferredBody
    | SupplementRequestedBody
    | SupplementReceivedBody
    | RefusedBody
    | ObligationSetBody
    | ObligationPaidBody
    | ProcessingFinishedBody
    | ResultReturnedBody
    | WithdrawnBody
    | SatisfactionRatedBody,
    Field(discriminator="type"),
]


class ApologyBody(_Body):
    """An apology and new appointment filed by the responsible unit (form 04)."""

    model_config = _example(
        {
            "unit_code": "SXD.QLXD",
            "reason": "Hồ sơ cần lấy ý kiến của cơ quan liên quan",
            "new_appointment_at": "2026-06-19T16:00:00+07:00",
            "signed_by": "Trần Văn Bình",
        }
    )

    unit_code: Code
    reason: LongText
    new_appointment_at: datetime = Field(description="The new appointment, with offset.")
    signed_by: Text | None = None
    filed_at: datetime | None = Field(default=None, description="Defaults to now.")


class RegistrationLine(_Body):
    """An import line: a dossier and, in order, what happened to it since."""

    kind: Literal["registration"]
    dossier: RegisterBody
    events: Annotated[list[EventBody], Field(max_length=200)] = Field(default_factory=list)


class EventLine(_Body):
    """An import line: one event of a dossier already stored."""

    kind: Literal["event"]
    dossier_code: Code
    event: EventBody


class ApologyLine(_Body):
    """An import line: an apology for a dossier already stored."""

    kind: Literal["apology"]
    dossier_code: Code
    apology: ApologyBody


ImportLine = Annotated[RegistrationLine | EventLine | ApologyLine, Field(discriminator="kind")]


class _Command(_Body):
    agency_code: Code = Field(description="The agency the integrator acts for.")
    idempotency_key: Annotated[Line, Field(min_length=1, max_length=200)]


class RegisterDossierCommand(_Command):
    """Kafka: register a dossier (the body of `POST /v1/dossiers`)."""

    command: Literal["register_dossier"]
    body: RegisterBody


class RecordEventCommand(_Command):
    """Kafka: record a lifecycle event (the body of `POST /v1/dossiers/{code}/events`)."""

    command: Literal["record_event"]
    dossier_code: Code
    body: EventBody


class FileApologyCommand(_Command):
    """Kafka: file an apology (the body of `POST /v1/dossiers/{code}/apology`)."""

    command: Literal["file_apology"]
    dossier_code: Code
    body: ApologyBody


DossierCommand = Annotated[
    RegisterDossierCommand | RecordEventCommand | FileApologyCommand,
    Field(discriminator="command"),
]


class TimeBody(_Body):
    """A time limit: working days, working hours, or within the day."""

    unit: Literal["working_days", "working_hours", "within_day"]
    amount: Annotated[Decimal, Field(gt=0, max_digits=8, decimal_places=3)]


class StepBody(_Body):
    """A step of the internal process with its allotted time."""

    code: Code
    name: Text
    unit_role: Literal["one_stop", "specialist", "leader", "external"]
    allotted: TimeBody


class ProcedureBody(_Body):
    """A catalogue entry (`PUT /v1/procedures/{code}`); step allotments sum to the total."""

    model_config = _example(
        {
            "name": "Cấp giấy phép xây dựng",
            "field": "Xây dựng",
            "level": "province",
            "competent_agency": "SXD",
            "processing_time": {"unit": "working_days", "amount": "15"},
            "steps": [
                {
                    "code": "TIEP_NHAN",
                    "name": "Tiếp nhận",
                    "unit_role": "one_stop",
                    "allotted": {"unit": "working_days", "amount": "1"},
                },
                {
                    "code": "THAM_DINH",
                    "name": "Thẩm định",
                    "unit_role": "specialist",
                    "allotted": {"unit": "working_days", "amount": "14"},
                },
            ],
            "has_fee": True,
            "fee_vnd": 150000,
        }
    )

    name: Text
    field: Text
    level: Literal["province", "commune"]
    competent_agency: Code = Field(description='An agency code, or "COMMUNE" at commune level.')
    processing_time: TimeBody
    steps: Annotated[list[StepBody], Field(min_length=1, max_length=50)]
    late_cutoff: Annotated[Line, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] | None = "15:00"
    online_eligible: bool = False
    has_fee: bool = False
    fee_vnd: Annotated[int, Field(ge=0)] = 0


class IssueKeyBody(_Body):
    """A new API key for an agency."""

    model_config = _example({"label": "counter software", "scopes": []})

    label: Annotated[Line, Field(min_length=1, max_length=200)] = "issued"
    scopes: list[Literal["admin"]] = Field(default_factory=list)
