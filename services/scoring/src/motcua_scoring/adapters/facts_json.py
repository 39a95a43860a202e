"""Dossier facts to and from the JSON stored in `dossier_facts.facts`.

Instants are ISO 8601 in UTC; processing days are decimal strings, so a round trip
gives back equal facts. Keys added later (revisions, the apology standing, alerts) are
optional, so facts stored before them still read.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from motcua.vocabulary import ApologyStanding
from motcua_scoring.domain import (
    AlertFired,
    AlertKind,
    AlertWithdrawn,
    ApologyIssued,
    Channel,
    DeadlineSet,
    DossierFacts,
    Identity,
    Rated,
    Reappointed,
    Received,
    Transferred,
    Verdict,
    VerdictGiven,
)

__all__ = ["facts_from_json", "facts_to_json"]

_INSTANTS = (
    "refused_at",
    "obligation_at",
    "paid_at",
    "paid_online_at",
    "finished_at",
    "returned_at",
    "withdrawn_at",
    "complained_at",
)


def facts_to_json(facts: DossierFacts) -> dict[str, Any]:
    """A JSON-ready dict holding every fact (empty ones left out)."""
    out: dict[str, Any] = {"code": facts.code}
    if facts.reception:
        out["reception"] = {
            "at": _iso(facts.reception.at),
            "identity": _identity(facts.reception.identity),
            "digitised": facts.reception.digitised,
        }
    if facts.refusal_identity:
        out["refusal_identity"] = _identity(facts.refusal_identity)
    if facts.transfer:
        out["transfer"] = {
            "at": _iso(facts.transfer.at),
            "to_unit": facts.transfer.to_unit,
            "to_agency": facts.transfer.to_agency,
        }
    if facts.deadline:
        out["deadline"] = {
            "at": _iso(facts.deadline.at),
            "due_at": _iso_or_none(facts.deadline.due_at),
            "revision": facts.deadline.revision,
        }
    if facts.reappointment:
        out["reappointment"] = {
            "at": _iso(facts.reappointment.at),
            "to": _iso(facts.reappointment.to),
        }
    if facts.supplement_requests:
        out["supplement_requests"] = sorted(map(_iso, facts.supplement_requests))
    if facts.supplements_received:
        out["supplements_received"] = sorted(map(_iso, facts.supplements_received))
    for name in _INSTANTS:
        value = getattr(facts, name)
        if value is not None:
            out[name] = _iso(value)
    if facts.e_result_issued:
        out["e_result_issued"] = True
    if facts.judgement:
        out["judgement"] = {
            "at": _iso(facts.judgement.at),
            "verdict": facts.judgement.verdict.value,
            "processing_days": str(facts.judgement.processing_days),
            "apology": facts.judgement.apology.value,
            "reappointment_kept": facts.judgement.reappointment_kept,
            "revision": facts.judgement.revision,
        }
    if facts.apologies:
        out["apologies"] = sorted(
            ({"at": _iso(a.at), "late": a.late} for a in facts.apologies),
            key=lambda a: (a["at"], a["late"]),
        )
    if facts.rating:
        out["rating"] = {"at": _iso(facts.rating.at), "score": facts.rating.score}
    if facts.alerts:
        out["alerts"] = sorted(
            (_alert(a) for a in facts.alerts), key=lambda a: (a["at"], a["event_id"])
        )
    if facts.withdrawals:
        out["withdrawals"] = sorted(
            (_withdrawal(w) for w in facts.withdrawals),
            key=lambda w: (w["at"], w["alert_event_id"]),
        )
    return out


def facts_from_json(data: dict[str, Any]) -> DossierFacts:
    """The facts a dict of `facts_to_json` holds."""
    reception = data.get("reception")
    transfer = data.get("transfer")
    deadline = data.get("deadline")
    reappointment = data.get("reappointment")
    judgement = data.get("judgement")
    rating = data.get("rating")
    refusal_identity = data.get("refusal_identity")
    instants = {name: _instant(data.get(name)) for name in _INSTANTS}
    return DossierFacts(
        code=data["code"],
        reception=Received(
            _parse(reception["at"]), _from_identity(reception["identity"]), reception["digitised"]
        )
        if reception
        else None,
        refusal_identity=_from_identity(refusal_identity) if refusal_identity else None,
        transfer=Transferred(_parse(transfer["at"]), transfer["to_unit"], transfer["to_agency"])
        if transfer
        else None,
        deadline=DeadlineSet(
            _parse(deadline["at"]), _instant(deadline["due_at"]), deadline.get("revision", 0)
        )
        if deadline
        else None,
        reappointment=Reappointed(_parse(reappointment["at"]), _parse(reappointment["to"]))
        if reappointment
        else None,
        supplement_requests=frozenset(map(_parse, data.get("supplement_requests", ()))),
        supplements_received=frozenset(map(_parse, data.get("supplements_received", ()))),
        e_result_issued=bool(data.get("e_result_issued", False)),
        judgement=_from_judgement(judgement) if judgement else None,
        apologies=frozenset(
            ApologyIssued(_parse(a["at"]), bool(a["late"])) for a in data.get("apologies", ())
        ),
        rating=Rated(_parse(rating["at"]), rating["score"]) if rating else None,
        alerts=frozenset(map(_from_alert, data.get("alerts", ()))),
        withdrawals=frozenset(map(_from_withdrawal, data.get("withdrawals", ()))),
        **instants,
    )


def _from_judgement(data: dict[str, Any]) -> VerdictGiven:
    return VerdictGiven(
        _parse(data["at"]),
        Verdict(data["verdict"]),
        Decimal(data["processing_days"]),
        ApologyStanding(data.get("apology", ApologyStanding.NOT_NEEDED)),
        data.get("reappointment_kept"),
        data.get("revision", 0),
    )


def _alert(alert: AlertFired) -> dict[str, Any]:
    return {
        "at": _iso(alert.at),
        "event_id": alert.event_id,
        "kind": alert.kind.value,
        "due_at": _iso(alert.due_at),
        "dossier": alert.dossier,
    }


def _from_alert(data: dict[str, Any]) -> AlertFired:
    return AlertFired(
        _parse(data["at"]),
        data["event_id"],
        AlertKind(data["kind"]),
        _parse(data["due_at"]),
        data["dossier"],
    )


def _withdrawal(withdrawal: AlertWithdrawn) -> dict[str, Any]:
    return {
        "at": _iso(withdrawal.at),
        "alert_event_id": withdrawal.alert_event_id,
        "kind": withdrawal.kind.value,
        "dossier": withdrawal.dossier,
    }


def _from_withdrawal(data: dict[str, Any]) -> AlertWithdrawn:
    return AlertWithdrawn(
        _parse(data["at"]), data["alert_event_id"], AlertKind(data["kind"]), data["dossier"]
    )


def _identity(identity: Identity) -> dict[str, Any]:
    return {
        "agency": identity.agency,
        "procedure": identity.procedure,
        "field": identity.field,
        "channel": identity.channel.value if identity.channel else None,
        "unit": identity.unit,
    }


def _from_identity(data: dict[str, Any]) -> Identity:
    channel = data.get("channel")
    return Identity(
        data["agency"],
        data.get("procedure"),
        data.get("field"),
        Channel(channel) if channel else None,
        data.get("unit"),
    )


def _iso(instant: datetime) -> str:
    return instant.isoformat()


def _iso_or_none(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat()


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
