from datetime import datetime, timedelta, timezone

from motcua.events import (
    Applicant,
    DossierTransferred,
    ProcedureTerms,
    ProcessingFinished,
    ProcessingTime,
    ResultReturned,
)
from motcua.lifecycle import LifecycleStep
from motcua.vocabulary import DossierStatus
from motcua_intake.domain.planning import (
    DossierState,
    Plan,
    Refusal,
    Registration,
    Step,
    applicant_recorded,
    plan_registration,
    plan_steps,
    recorded_events,
)
from motcua_intake.service.errors import FieldError, from_refusal

HANOI = timezone(timedelta(hours=7))
RECEIVED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=HANOI)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=HANOI)
TERMS = ProcedureTerms(
    code="2.001417",
    name="Cấp phiếu lý lịch tư pháp",
    field="Lý lịch tư pháp",
    processing_time=ProcessingTime(unit="working_days"),
)


def registration(client_code: str | None = None) -> Registration:
    return Registration(
        client_code=client_code,
        agency="STP",
        unit="STP.HCTP",
        procedure_code="2.001417",
        received_at=RECEIVED_AT,
        channel="counter",
        applicant=Applicant(name="Nguyễn Văn An", national_id="001099012345"),
        proxy=None,
        components=(),
        digitised=False,
        result_delivery="counter",
    )


def transfer(hours: float, pointer: str = "") -> Step:
    event = DossierTransferred(from_unit="STP.HCTP", to_unit="STP.BGD")
    return Step(LifecycleStep.TRANSFERRED, RECEIVED_AT + timedelta(hours=hours), event, pointer)


def returned(hours: float, pointer: str = "") -> Step:
    at = RECEIVED_AT + timedelta(hours=hours)
    return Step(LifecycleStep.RESULT_RETURNED, at, ResultReturned(), pointer)


def stored(status: DossierStatus = DossierStatus.RECEIVED, agency: str = "STP") -> DossierState:
    return DossierState("STP-261120-0001", agency, status, RECEIVED_AT)


def test_a_registration_is_received_then_follows_its_steps() -> None:
    plan = plan_registration(registration(), [transfer(1)], (3, TERMS), taken=set())

    assert isinstance(plan, Plan)
    assert (plan.agency, plan.code, plan.received_at) == ("STP", None, RECEIVED_AT)
    assert plan.statuses == (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
    assert plan.status == DossierStatus.PROCESSING
    assert plan.reception is not None
    assert (plan.reception.procedure_code, plan.reception.revision) == ("2.001417", 3)


def test_a_registration_of_a_procedure_not_in_the_catalogue_is_refused() -> None:
    refusal = plan_registration(registration(), [], None, taken=set())

    assert refusal == Refusal(
        "invalid",
        "unknown_procedure",
        "procedure '2.001417' is not in the catalogue",
        ("/procedure_code", "'2.001417' is unknown"),
    )


def test_a_code_the_counter_brings_must_be_free() -> None:
    code = "STP-HS-42"

    assert isinstance(plan_registration(registration(code), [], (1, TERMS), set()), Plan)
    refusal = plan_registration(registration(code), [], (1, TERMS), {code})
    assert isinstance(refusal, Refusal)
    assert (refusal.kind, refusal.code, refusal.field) == (
        "conflict",
        "duplicate_dossier_code",
        ("/dossier_code", "already used"),
    )


def test_steps_need_a_stored_dossier_of_the_callers_agency() -> None:
    code = "STP-261120-0001"
    missing = plan_steps(code, None, [transfer(1)], "STP", str)
    other = plan_steps(code, stored(), [transfer(1)], "SXD", str)
    merged = plan_steps(code, stored(agency="TP.OLD"), [transfer(1)], "STP", lambda _: "STP")

    assert missing == Refusal("not_found", "dossier_not_found", f"no dossier {code!r}")
    assert other == Refusal("forbidden", "forbidden", f"dossier {code!r} belongs to another agency")
    assert isinstance(merged, Plan)
    assert merged.agency == "TP.OLD"
    assert plan_steps(code, stored(), [transfer(1)], None, str) == Plan(
        "STP", code, RECEIVED_AT, (DossierStatus.PROCESSING,), DossierStatus.PROCESSING
    )


def test_a_step_before_the_reception_is_refused_where_it_sits() -> None:
    refusal = plan_registration(
        registration(), [transfer(1, "/events/0"), transfer(-1, "/events/1")], (1, TERMS), set()
    )

    assert refusal == Refusal(
        "invalid",
        "occurred_before_reception",
        "an event cannot happen before the dossier was received",
        ("/events/1/occurred_at", "earlier than the reception time"),
    )


def test_a_step_the_status_does_not_allow_is_a_conflict() -> None:
    refusal = plan_steps("STP-261120-0001", stored(), [returned(1, "/event")], "STP", str)

    assert isinstance(refusal, Refusal)
    assert (refusal.kind, refusal.code) == ("conflict", "transition_not_allowed")
    assert refusal.field == ("/event/type", refusal.detail)
    assert from_refusal(refusal).errors == (
        FieldError("/event/type", "transition_not_allowed", refusal.detail),
    )


def test_the_events_recorded_start_with_the_reception_and_share_its_correlation() -> None:
    finished = Step(
        LifecycleStep.PROCESSING_FINISHED,
        RECEIVED_AT + timedelta(hours=2),
        ProcessingFinished(outcome="approved", unit_code="STP.BGD"),
    )
    steps = [transfer(1), finished]
    plan = plan_registration(registration(), steps, (1, TERMS), set())
    assert isinstance(plan, Plan)

    envelopes = recorded_events(plan, steps, "STP-261120-0007", "intake", NOW)
    applicant = applicant_recorded(registration(), "STP-261120-0007", envelopes[0], "intake", NOW)

    assert [e.event_type for e in envelopes] == [
        "dossier.received",
        "dossier.transferred",
        "dossier.processing-finished",
    ]
    assert [e.occurred_at for e in envelopes] == [RECEIVED_AT, *(s.occurred_at for s in steps)]
    assert {e.correlation_id for e in envelopes} == {envelopes[0].event_id}
    assert {(e.dossier_code, e.agency_code) for e in envelopes} == {("STP-261120-0007", "STP")}
    assert applicant.causation_id == envelopes[0].event_id
    assert applicant.correlation_id == envelopes[0].correlation_id
