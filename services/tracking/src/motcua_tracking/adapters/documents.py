"""A tracked dossier as a JSON document (the `dossiers.document` column) and back.

Instants are stored as ISO 8601 in Asia/Ho_Chi_Minh (+07:00) whatever zone they came in,
decimals as strings, so a document read back gives exactly the clock it was written from,
and the same state always gives the same document.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from motcua_tracking.domain import (
    DossierClock,
    HistoryEntry,
    ProcedureTerms,
    ProcessingTime,
    Reappointment,
    StepAllotment,
    SupplementPolicy,
    Suspension,
    TimeUnit,
    TrackedDossier,
    Verdict,
    vietnam_time_zone,
)
from motcua_tracking.domain.dossiers import DossierStatus, Step

__all__ = ["FORMAT", "from_document", "to_document"]

FORMAT = 1


def to_document(dossier: TrackedDossier) -> dict[str, Any]:
    """The JSON-ready document of a dossier (its timers are stored apart)."""
    clock = dossier.clock
    return {
        "format": FORMAT,
        "agency": dossier.agency_code,
        "procedure_name": dossier.procedure_name,
        "terms": _terms(clock.terms),
        "policy": clock.policy.value,
        "received_at": _at(clock.received_at),
        "suspensions": [[_at(s.requested_at), _at(s.resumed_at)] for s in clock.suspensions],
        "reappointment": _reappointment(clock.reappointment),
        "counting_from": _at(dossier.counting_from),
        "appointment_at": _at(dossier.appointment_at),
        "status": int(dossier.status),
        "steps": [_step(step) for step in dossier.steps],
        "plan": {code: _at(due) for code, due in dossier.plan.items()},
        "history": [[_at(h.at), h.what, h.unit_code, h.detail] for h in dossier.history],
        "last_event_at": _at(dossier.last_event_at),
        "correlation": dossier.correlation,
        "finished_at": _at(dossier.finished_at),
        "ended_by": dossier.ended_by,
        "verdict": dossier.verdict.value if dossier.verdict else None,
        "responsible_unit": dossier.responsible_unit,
        "result_returned_at": _at(dossier.result_returned_at),
        "apology_required_at": _at(dossier.apology_required_at),
        "escalations": list(dossier.escalations),
        "revision": dossier.revision,
    }


def from_document(code: str, doc: dict[str, Any]) -> TrackedDossier:
    """The dossier a document describes (without timers)."""
    reappointment = doc["reappointment"]
    clock = DossierClock(
        _req(doc["received_at"]),
        _terms_from(doc["terms"]),
        SupplementPolicy(doc["policy"]),
        tuple(Suspension(_req(a), _opt(b)) for a, b in doc["suspensions"]),
        Reappointment(
            _req(reappointment["due_at"]),
            _req(reappointment["issued_at"]),
            reappointment["reason"],
            reappointment["late"],
        )
        if reappointment
        else None,
    )
    return TrackedDossier(
        code=code,
        agency_code=doc["agency"],
        procedure_name=doc["procedure_name"],
        clock=clock,
        counting_from=_req(doc["counting_from"]),
        appointment_at=_req(doc["appointment_at"]),
        status=DossierStatus(doc["status"]),
        steps=[_step_from(item) for item in doc["steps"]],
        last_event_at=_req(doc["last_event_at"]),
        plan={code: _req(due) for code, due in doc["plan"].items()},
        history=[HistoryEntry(_req(a), w, u, d) for a, w, u, d in doc["history"]],
        correlation=doc["correlation"],
        finished_at=_opt(doc["finished_at"]),
        ended_by=doc["ended_by"],
        verdict=Verdict(doc["verdict"]) if doc["verdict"] else None,
        responsible_unit=doc["responsible_unit"],
        result_returned_at=_opt(doc["result_returned_at"]),
        apology_required_at=_opt(doc["apology_required_at"]),
        escalations=list(doc["escalations"]),
        revision=doc.get("revision", 0),
    )


def _at(moment: datetime | None) -> str | None:
    return moment.astimezone(vietnam_time_zone()).isoformat() if moment is not None else None


def _opt(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw is not None else None


def _req(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


def _time(limit: ProcessingTime | None) -> list[str] | None:
    return [limit.unit.value, str(limit.amount)] if limit is not None else None


def _time_from(raw: list[str] | None) -> ProcessingTime | None:
    return ProcessingTime(TimeUnit(raw[0]), Decimal(raw[1])) if raw else None


def _terms(terms: ProcedureTerms) -> dict[str, Any]:
    return {
        "code": terms.code,
        "time": _time(terms.processing_time),
        "steps": [[s.code, s.name, s.unit_role, _time(s.allotted)] for s in terms.steps],
        "cutoff": terms.cutoff.isoformat() if terms.cutoff else None,
    }


def _terms_from(raw: dict[str, Any]) -> ProcedureTerms:
    limit = _time_from(raw["time"])
    assert limit is not None
    steps = []
    for code, name, role, allotted in raw["steps"]:
        step_time = _time_from(allotted)
        assert step_time is not None
        steps.append(StepAllotment(code, name, role, step_time))
    cutoff = time.fromisoformat(raw["cutoff"]) if raw["cutoff"] else None
    return ProcedureTerms(raw["code"], limit, tuple(steps), cutoff)


def _reappointment(item: Reappointment | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "due_at": _at(item.due_at),
        "issued_at": _at(item.issued_at),
        "reason": item.reason,
        "late": item.issued_late,
    }


def _step(step: Step) -> list[Any]:
    return [
        step.seq,
        step.code,
        step.unit_code,
        _at(step.started_at),
        _time(step.allotted),
        _at(step.due_at),
        _at(step.finished_at),
        step.handed_to,
        step.verdict.value if step.verdict else None,
        step.note,
    ]


def _step_from(raw: list[Any]) -> Step:
    seq, code, unit, started, allotted, due, finished, handed_to, judged, note = raw
    return Step(
        seq,
        code,
        unit,
        _req(started),
        _time_from(allotted),
        _opt(due),
        _opt(finished),
        handed_to,
        Verdict(judged) if judged else None,
        note,
    )
