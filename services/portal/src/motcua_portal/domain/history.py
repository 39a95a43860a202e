"""A dossier's whole history rebuilt from its facts: the record, every step, supplements,
re-appointments and fees, as the national portal needs them.

Rebuilt from all stored facts each time (never patched), so an event that arrives late
takes its place (decision 9) and a dossier that starts syncing late is sent complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from motcua.vocabulary import DossierStatus
from motcua_portal.domain.facts import Fact, in_order, moment
from motcua_portal.domain.statuses import STEP_EVENTS, status_after

__all__ = ["DossierHistory", "Fee", "Step", "Supplement", "rebuild"]


@dataclass(slots=True)
class Step:
    """One entry of the progress history (CapNhatTienDoHoSoMC)."""

    key: str
    event_type: str
    at: datetime
    unit: str
    actor: str
    content: str
    status: DossierStatus
    statutory_end: datetime | None
    step_code: str | None = None


@dataclass(slots=True)
class Supplement:
    """A supplement request or an apology's re-appointment (DanhSachHoSoBoSung)."""

    key: str
    kind: str  # "supplement" or "reappointment"
    asked_by: str
    content: str
    asked_at: datetime
    received_at: datetime | None = None
    appointment_before: datetime | None = None
    appointment_after: datetime | None = None


@dataclass(slots=True)
class Fee:
    """A financial obligation (DanhSachLePhi)."""

    key: str
    name: str
    amount_vnd: int
    paid_by: str | None = None


@dataclass(slots=True)
class DossierHistory:
    """Everything the portal is told about one dossier."""

    code: str
    agency: str | None = None
    status: DossierStatus = DossierStatus.NEWLY_REGISTERED
    received: Mapping[str, Any] | None = None
    received_at: datetime | None = None
    procedure_code: str = ""
    procedure_name: str = ""
    procedure_field: str = ""
    appointment: datetime | None = None
    counting_from: datetime | None = None
    step_dues: dict[str, datetime] = field(default_factory=dict)
    step_order: list[str] = field(default_factory=list)
    unit: str = ""
    steps: list[Step] = field(default_factory=list)
    supplements: list[Supplement] = field(default_factory=list)
    fees: list[Fee] = field(default_factory=list)
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    return_method: str | None = None
    refused_at: datetime | None = None
    notes: list[str] = field(default_factory=list)
    transfers: int = 0

    @property
    def ready(self) -> bool:
        """Whether the portal can be told: the dossier's reception is known."""
        return self.received is not None


def rebuild(code: str, agency: str | None, facts: Iterable[Fact]) -> DossierHistory:
    """The history of a dossier from its facts, in event-time order."""
    history = DossierHistory(code=code, agency=agency)
    slots: list[tuple[Step, int | str | None]] = []
    appointments: list[tuple[datetime, datetime | None]] = []
    for fact in in_order(facts):
        if fact.event_type.startswith("tracking."):
            _deadline(history, fact)
            appointments.append((fact.occurred_at, history.appointment))
        if fact.event_type in _FOLDS:
            _FOLDS[fact.event_type](history, fact)
        if fact.event_type in STEP_EVENTS:
            slots.append(_step(history, fact))
    # A step of the internal process ends at the latest due time known for it; any other
    # step at the appointment in force once tracking had taken it into account (its
    # consequences share the step's instant: a supplement's arrival resumes the clock).
    for step, slot in slots:
        step.step_code = _step_code(history, slot)
        if step.step_code is not None:
            step.statutory_end = history.step_dues.get(step.step_code, step.statutory_end)
        else:
            step.statutory_end = _in_force(appointments, step.at, step.statutory_end)
        history.steps.append(step)
    return history


def _in_force(
    appointments: list[tuple[datetime, datetime | None]],
    at: datetime,
    default: datetime | None,
) -> datetime | None:
    """The appointment after tracking's last word at or before `at`."""
    found = default
    for changed_at, appointment in appointments:
        if changed_at > at:
            break
        found = appointment
    return found


def _deadline(history: DossierHistory, fact: Fact) -> None:
    data = fact.data
    if fact.event_type == "tracking.deadline-set":
        history.appointment = fact.when("appointment_at")
        history.counting_from = fact.when("counting_from")
        history.procedure_name = history.procedure_name or fact.text("procedure_name")
        history.step_order = []
        for step in data.get("steps") or ():
            due = moment(step.get("due_at"))
            if due is not None:
                history.step_dues[str(step["code"])] = due
                history.step_order.append(str(step["code"]))
    elif fact.event_type == "tracking.deadline-changed":
        new_due = fact.when("new_due_at")
        if new_due is None:
            return
        if data.get("scope") == "step" and data.get("step_code"):
            history.step_dues[str(data["step_code"])] = new_due
        elif data.get("cause") != "apology":
            # An apology's new appointment is a promise, not the statutory appointment
            # (decision 5); it goes to the portal as a re-appointment.
            history.appointment = new_due


def _received(history: DossierHistory, fact: Fact) -> None:
    procedure = fact.data.get("procedure") or {}
    history.received = fact.data
    history.received_at = fact.occurred_at
    history.procedure_code = str(procedure.get("code", ""))
    history.procedure_name = str(procedure.get("name", "")) or history.procedure_name
    history.procedure_field = str(procedure.get("field", ""))
    history.unit = fact.text("unit_code")


def _transferred(history: DossierHistory, fact: Fact) -> None:
    history.transfers += 1
    history.unit = fact.text("to_unit") or history.unit
    if fact.data.get("note"):
        history.notes.append(fact.text("note"))


def _supplement_requested(history: DossierHistory, fact: Fact) -> None:
    items = ", ".join(str(i) for i in fact.data.get("missing_items") or ())
    history.supplements.append(
        Supplement(
            key=fact.event_id,
            kind="supplement",
            asked_by=fact.text("unit_code"),
            content=f"{fact.text('reason')}: {items}" if items else fact.text("reason"),
            asked_at=fact.occurred_at,
            appointment_before=history.appointment,
        )
    )


def _open_supplement(history: DossierHistory) -> Supplement | None:
    for supplement in reversed(history.supplements):
        if supplement.kind == "supplement":
            return supplement
    return None


def _supplement_received(history: DossierHistory, fact: Fact) -> None:
    supplement = _open_supplement(history)
    if supplement is not None and supplement.received_at is None:
        supplement.received_at = fact.occurred_at


def _deadline_changed(history: DossierHistory, fact: Fact) -> None:
    cause = fact.data.get("cause")
    supplement = _open_supplement(history)
    if supplement is None or fact.data.get("scope") == "step":
        return
    if cause == "supplement_paused" and fact.when("old_due_at") is not None:
        supplement.appointment_before = fact.when("old_due_at")
    elif cause in ("supplement_resumed", "supplement_restarted"):
        supplement.appointment_after = fact.when("new_due_at")


def _apology_issued(history: DossierHistory, fact: Fact) -> None:
    history.supplements.append(
        Supplement(
            key=fact.event_id,
            kind="reappointment",
            asked_by=fact.text("unit_code"),
            content=f"Xin lỗi và hẹn lại ngày trả kết quả: {fact.text('reason')}",
            asked_at=fact.when("filed_at") or fact.occurred_at,
            received_at=fact.when("filed_at") or fact.occurred_at,
            appointment_before=fact.when("original_due_at"),
            appointment_after=fact.when("new_appointment_at"),
        )
    )


def _fee_set(history: DossierHistory, fact: Fact) -> None:
    amount = int(fact.data.get("amount_vnd") or 0)
    history.fees.append(Fee(key=fact.event_id, name=fact.text("description"), amount_vnd=amount))


def _fee_paid(history: DossierHistory, fact: Fact) -> None:
    for fee in history.fees:
        if fee.paid_by is None:
            fee.paid_by = fact.text("method")
            return


def _finished(history: DossierHistory, fact: Fact) -> None:
    history.finished_at = fact.occurred_at
    history.unit = fact.text("unit_code") or history.unit
    if fact.data.get("note"):
        history.notes.append(fact.text("note"))


def _returned(history: DossierHistory, fact: Fact) -> None:
    history.returned_at = fact.occurred_at
    history.return_method = fact.text("method", "counter")


def _refused(history: DossierHistory, fact: Fact) -> None:
    history.refused_at = fact.occurred_at
    history.notes.append("; ".join(str(r) for r in fact.data.get("reasons") or ()))


def _withdrawn(history: DossierHistory, fact: Fact) -> None:
    history.notes.append(fact.text("reason"))


_FOLDS = {
    "dossier.received": _received,
    "dossier.transferred": _transferred,
    "dossier.supplement-requested": _supplement_requested,
    "dossier.supplement-received": _supplement_received,
    "tracking.deadline-changed": _deadline_changed,
    "tracking.apology-issued": _apology_issued,
    "dossier.financial-obligation-set": _fee_set,
    "dossier.financial-obligation-paid": _fee_paid,
    "dossier.processing-finished": _finished,
    "dossier.result-returned": _returned,
    "dossier.refused": _refused,
    "dossier.withdrawn": _withdrawn,
}


def _step(history: DossierHistory, fact: Fact) -> tuple[Step, int | str | None]:
    history.status = status_after(fact.event_type, fact.data, history.status)
    unit = history.unit
    if fact.event_type == "dossier.supplement-requested":
        unit = fact.text("unit_code") or unit
    step = Step(
        key=fact.event_id,
        event_type=fact.event_type,
        at=fact.occurred_at,
        unit=unit,
        actor=fact.text("signed_by") or unit,
        content=_content(fact),
        status=history.status,
        statutory_end=history.appointment,
    )
    slot: int | str | None = None
    if fact.event_type == "dossier.received":
        slot = 0
    elif fact.event_type == "dossier.transferred":
        slot = fact.text("step_code") or history.transfers
    return step, slot


def _step_code(history: DossierHistory, slot: int | str | None) -> str | None:
    """The process step a reception (slot 0) or a handover starts: the one the event
    names, else the next in the procedure's internal process."""
    if isinstance(slot, str):
        return slot if slot in history.step_dues else None
    if slot is None or not history.step_order:
        return None
    return history.step_order[min(slot, len(history.step_order) - 1)]


def _content(fact: Fact) -> str:
    """NoiDungXuLy: what was done, with the reason."""
    data = fact.data
    match fact.event_type:
        case "dossier.received":
            return "Tiếp nhận hồ sơ"
        case "dossier.transferred":
            note = f" ({fact.text('note')})" if data.get("note") else ""
            return f"Chuyển hồ sơ từ {fact.text('from_unit')} đến {fact.text('to_unit')}{note}"
        case "dossier.supplement-requested":
            items = ", ".join(str(i) for i in data.get("missing_items") or ())
            return f"Yêu cầu bổ sung hồ sơ: {fact.text('reason')} ({items})"
        case "dossier.supplement-received":
            return "Tiếp nhận hồ sơ bổ sung"
        case "dossier.financial-obligation-set":
            return f"Yêu cầu thực hiện nghĩa vụ tài chính: {fact.text('description')}"
        case "dossier.financial-obligation-paid":
            return "Đã thực hiện nghĩa vụ tài chính"
        case "dossier.processing-finished":
            outcome = "chấp thuận" if data.get("outcome") == "approved" else "không chấp thuận"
            return f"Đã xử lý xong ({outcome})"
        case "dossier.result-returned":
            return "Đã trả kết quả"
        case "dossier.refused":
            reasons = "; ".join(str(r) for r in data.get("reasons") or ())
            return f"Từ chối giải quyết: {reasons}"
        case "dossier.withdrawn":
            what = "Dừng xử lý" if data.get("kind") == "stopped" else "Công dân yêu cầu rút hồ sơ"
            return f"{what}: {fact.text('reason')}"
        case "dossier.apology-filed":
            return f"Xin lỗi và hẹn lại ngày trả kết quả: {fact.text('reason')}"
    return fact.event_type
