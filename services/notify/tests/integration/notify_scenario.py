"""Events of a few dossiers of the demo province, as intake and tracking publish them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from motcua.events import (
    AlertWithdrawn,
    ApologyIssued,
    ApologyRequired,
    Applicant,
    ApplicantErased,
    ApplicantRecorded,
    Channel,
    Consent,
    DeadlineSet,
    DossierDueSoon,
    DossierEscalated,
    DossierOverdue,
    DossierRefused,
    DossierTransferred,
    DossierWithdrawn,
    Envelope,
    Event,
    ProcedureTerms,
    ProcessingFinished,
    ProcessingTime,
    ProcessStep,
    StepDeadline,
    SupplementRequested,
)
from motcua.testing.catalogue import reception

# 2026-11-20 is a Friday; 02:00 UTC is 09:00 in Hà Nội.
MORNING = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
APPOINTMENT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # 16:30 ngày 04/12/2026
NEW_APPOINTMENT = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # 09:00 ngày 11/12/2026
AGENCY = "STP"
COUNTER = "STP.MC"
SPECIALISTS = "STP.HCTP"
PROCEDURE = ProcedureTerms(
    code="1.001877",
    name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    field="Lý lịch tư pháp",
    processing_time=ProcessingTime(unit="working_days", amount=10),
    steps=(
        ProcessStep(
            code="TN",
            name="Tiếp nhận hồ sơ",
            unit_role="one_stop",
            allotted=ProcessingTime(unit="working_days", amount=1),
        ),
        ProcessStep(
            code="TD",
            name="Thẩm định hồ sơ",
            unit_role="specialist",
            allotted=ProcessingTime(unit="working_days", amount=7),
        ),
    ),
)


def dossier_code() -> str:
    """A code no other test uses."""
    return f"{AGENCY}-261120-{uuid.uuid4().int % 10**8:08d}"


def wrap(data: Event, code: str, at: datetime = MORNING, producer: str = "intake") -> Envelope:
    return Envelope.wrap(
        data, producer=producer, occurred_at=at, now=at, dossier_code=code, agency_code=AGENCY
    )


def received(code: str) -> Envelope:
    """Intake's reception: the dossier, naming no one (the applicant comes apart)."""
    data = reception(PROCEDURE, unit_code=COUNTER, channel=Channel.COUNTER)
    return wrap(data, code)


def applicant(
    code: str,
    *,
    email: str | None = "nguyen.van.an@example.vn",
    phone: str | None = "0912345678",
    consent: tuple[str, ...] = ("email", "sms", "zalo"),
    name: str = "Nguyễn Văn An",
) -> Envelope:
    """Intake's applicant record of a dossier (applicants' topic): contacts and consent."""
    person = Applicant(
        name=name,
        national_id="025090001234",
        phone=phone,
        email=email,
        consent=Consent(**{c: True for c in consent}),
    )
    return wrap(ApplicantRecorded(applicant=person), code)


def applicant_erased(code: str, reason: str = "request", at: datetime = MORNING) -> Envelope:
    """Intake erased the applicant of a dossier (retention ended, or on request)."""
    return wrap(ApplicantErased(reason=reason), code, at=at)


def deadline_set(code: str, appointment: datetime = APPOINTMENT) -> Envelope:
    data = DeadlineSet(
        appointment_at=appointment,
        counting_from=MORNING,
        steps=(
            StepDeadline(code="TD", unit_role="specialist", due_at=appointment - timedelta(days=2)),
        ),
        unit_code=COUNTER,
        procedure_code=PROCEDURE.code,
        procedure_name=PROCEDURE.name,
    )
    return wrap(data, code, producer="tracking")


def transferred(code: str) -> Envelope:
    return wrap(DossierTransferred(from_unit=COUNTER, to_unit=SPECIALISTS, step_code="TD"), code)


def supplement_requested(code: str) -> Envelope:
    data = SupplementRequested(
        missing_items=("Bản sao Căn cước công dân", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),
        reason="Hồ sơ thiếu giấy tờ theo quy định",
        unit_code=COUNTER,
        contact_name="Trần Thị Hồng",
        contact_phone="0210 3846 123",
    )
    return wrap(data, code)


def refused(code: str) -> Envelope:
    data = DossierRefused(
        stage="reception",
        reasons=("Hồ sơ không thuộc thẩm quyền giải quyết của Sở Tư pháp",),
        unit_code=COUNTER,
    )
    return wrap(data, code)


def apology_issued(code: str) -> Envelope:
    data = ApologyIssued(
        unit_code=SPECIALISTS,
        reason="Cần xác minh thêm thông tin với Công an tỉnh",
        original_due_at=APPOINTMENT,
        new_appointment_at=NEW_APPOINTMENT,
        filed_at=APPOINTMENT - timedelta(days=1),
        procedure_name=PROCEDURE.name,
    )
    return wrap(data, code, producer="tracking")


def withdrawn(code: str) -> Envelope:
    return wrap(DossierWithdrawn(reason="Công dân yêu cầu rút hồ sơ"), code)


def finished(code: str) -> Envelope:
    return wrap(ProcessingFinished(outcome="approved", unit_code=SPECIALISTS), code)


def due_soon(code: str) -> Envelope:
    data = DossierDueSoon(scope="step", step_code="TD", unit_code=SPECIALISTS, due_at=APPOINTMENT)
    return wrap(data, code, producer="tracking")


def overdue(code: str) -> Envelope:
    data = DossierOverdue(scope="step", step_code="TD", unit_code=SPECIALISTS, due_at=APPOINTMENT)
    return wrap(data, code, at=APPOINTMENT + timedelta(days=4), producer="tracking")


def apology_required(code: str) -> Envelope:
    data = ApologyRequired(unit_code=SPECIALISTS, due_at=APPOINTMENT)
    return wrap(data, code, producer="tracking")


def escalated(code: str) -> Envelope:
    data = DossierEscalated(
        unit_code=SPECIALISTS, due_at=APPOINTMENT, reason="no_apology_by_appointment"
    )
    return wrap(data, code, producer="tracking")


def alert_withdrawn(alert: Envelope, reason: str = "ended_before_due") -> Envelope:
    """Tracking withdraws `alert`: the handover it missed happened before the due time."""
    data = alert.data
    at = data.due_at + timedelta(hours=1)
    withdrawal = AlertWithdrawn(
        alert_event_id=str(alert.event_id),
        alert_type=alert.event_type,
        scope=getattr(data, "scope", "dossier"),
        step_code=getattr(data, "step_code", None),
        unit_code=data.unit_code,
        due_at=data.due_at,
        reason=reason,
        proven_by_event_id=str(uuid.uuid4()),
    )
    return wrap(withdrawal, alert.dossier_code or "", at=at, producer="tracking")
