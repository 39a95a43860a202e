"""Events of one dossier's life, as intake and tracking publish them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from motcua.events import (
    ApologyFiled,
    ApologyIssued,
    Applicant,
    ApplicantErased,
    ApplicantRecorded,
    Channel,
    Component,
    DeadlineChanged,
    DeadlineSet,
    DossierRefused,
    DossierTransferred,
    DossierWithdrawn,
    Envelope,
    Event,
    FinancialObligationPaid,
    FinancialObligationSet,
    ProcessingFinished,
    Proxy,
    ResultReturned,
    StepDeadline,
    SupplementReceived,
    SupplementRequested,
)
from motcua.testing.catalogue import BUILDING_PERMIT, procedures_named, reception
from motcua.testing.events import new_dossier_code, wrap
from motcua_portal.domain import Fact
from motcua_portal.service.ingest import fact_data

VN = timezone(timedelta(hours=7))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN)


TERMS = BUILDING_PERMIT


class Life:
    """The events of one dossier's life, in the order they happen."""

    def __init__(self, agency: str = "STP") -> None:
        self.agency = agency
        self.code = new_dossier_code(agency)

    def wrap(self, data: Event, when: datetime, producer: str = "intake") -> Envelope:
        return wrap(data, code=self.code, at=when, agency=self.agency, producer=producer)

    def received(self, when: datetime | None = None) -> Envelope:
        when = when or at(2, 9)
        data = reception(
            TERMS,
            unit_code="MC",
            channel=Channel.COUNTER,
            components=(Component(name="Đơn đề nghị"), Component(name="Bản vẽ")),
        )
        return self.wrap(data, when)

    def recorded(
        self,
        when: datetime | None = None,
        name: str = "Nguyễn Văn A",
        phone: str = "0912345678",
        recorded_at: datetime | None = None,
    ) -> Envelope:
        """Intake's applicant record of the dossier (on the applicants' topic)."""
        when = when or at(2, 9)
        applicant = Applicant(
            name=name,
            national_id="001099012345",
            phone=phone,
            email="nguyenvana@example.vn",
            address="12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
        )
        proxy = Proxy(name="Trần Thị B", national_id="001199054321", phone="0987654321")
        data = ApplicantRecorded(applicant=applicant, proxy=proxy)
        return wrap(data, code=self.code, at=when, agency=self.agency, recorded_at=recorded_at)

    def erased(self, when: datetime, reason: str = "request") -> Envelope:
        """Intake's word that the dossier's applicant is erased."""
        return self.wrap(ApplicantErased(reason=reason), when)

    def deadline_set(self, when: datetime | None = None) -> Envelope:
        when = when or at(2, 9)
        steps = (
            StepDeadline(code="TN", unit_role="one_stop", due_at=at(2, 13)),
            StepDeadline(code="XL", unit_role="department", due_at=at(5, 15)),
            StepDeadline(code="KY", unit_role="leader", due_at=at(6, 11)),
            StepDeadline(code="TKQ", unit_role="one_stop", due_at=at(9, 9)),
        )
        data = DeadlineSet(
            appointment_at=at(9, 9),
            counting_from=when,
            steps=steps,
            unit_code="MC",
            procedure_code=TERMS.code,
            procedure_name=TERMS.name,
        )
        return self.wrap(data, when, "tracking")

    def transferred(self, when: datetime, source: str, target: str) -> Envelope:
        return self.wrap(DossierTransferred(from_unit=source, to_unit=target), when)

    def supplement_requested(self, when: datetime) -> list[Envelope]:
        asked = SupplementRequested(
            missing_items=("Bản vẽ mặt bằng",), reason="thiếu bản vẽ", unit_code="PCM"
        )
        paused = DeadlineChanged(old_due_at=at(9, 9), new_due_at=None, cause="supplement_paused")
        return [self.wrap(asked, when), self.wrap(paused, when, "tracking")]

    def supplement_received(self, when: datetime, new_due: datetime) -> list[Envelope]:
        resumed = DeadlineChanged(old_due_at=None, new_due_at=new_due, cause="supplement_resumed")
        return [
            self.wrap(SupplementReceived(items=("Bản vẽ mặt bằng",)), when),
            self.wrap(resumed, when, "tracking"),
        ]

    def apology(self, when: datetime, original: datetime, new: datetime) -> list[Envelope]:
        filed = ApologyFiled(
            unit_code="PCM", reason="cần xác minh thực địa", new_appointment_at=new
        )
        issued = ApologyIssued(
            unit_code="PCM",
            reason="cần xác minh thực địa",
            original_due_at=original,
            new_appointment_at=new,
            filed_at=when,
        )
        return [self.wrap(filed, when), self.wrap(issued, when, "tracking")]

    def finished(self, when: datetime) -> Envelope:
        return self.wrap(ProcessingFinished(outcome="approved", unit_code="LD"), when)

    def returned(self, when: datetime) -> Envelope:
        return self.wrap(ResultReturned(method="counter"), when)

    def fee_set(self, when: datetime, amount: int = 500_000) -> Envelope:
        return self.wrap(FinancialObligationSet(amount_vnd=amount, description="Lệ phí"), when)

    def fee_paid(self, when: datetime, method: str = "online", amount: int = 500_000) -> Envelope:
        return self.wrap(FinancialObligationPaid(amount_vnd=amount, method=method), when)

    def refused(self, when: datetime, stage: str = "reception") -> Envelope:
        data = DossierRefused(stage=stage, reasons=("Không thuộc thẩm quyền",), unit_code="MC")
        return self.wrap(data, when)

    def withdrawn(self, when: datetime, kind: str = "withdrawn") -> Envelope:
        return self.wrap(DossierWithdrawn(kind=kind, reason="Công dân đề nghị"), when)

    def step_due_changed(self, when: datetime, step: str, new_due: datetime) -> Envelope:
        data = DeadlineChanged(
            scope="step", step_code=step, old_due_at=None, new_due_at=new_due, cause="transfer"
        )
        return self.wrap(data, when, "tracking")

    def reappointed(self, when: datetime, original: datetime, new: datetime) -> Envelope:
        """Tracking's record that the apology moved the promised date."""
        data = DeadlineChanged(old_due_at=original, new_due_at=new, cause="apology")
        return self.wrap(data, when, "tracking")

    def short(self) -> list[Envelope]:
        """Reception, deadlines, two handovers."""
        return [
            self.received(),
            self.deadline_set(),
            self.transferred(at(2, 11), "MC", "PCM"),
            self.transferred(at(3, 10), "PCM", "LD"),
        ]


def facts(*envelopes: Envelope, arrived: datetime | None = None) -> list[Fact]:
    """Envelopes as the portal service stores them (all recorded at `arrived` if given)."""
    return [
        Fact(
            str(e.event_id),
            e.event_type,
            e.occurred_at,
            arrived or e.recorded_at,
            fact_data(e.data, procedures_named([e])),
        )
        for e in envelopes
    ]
