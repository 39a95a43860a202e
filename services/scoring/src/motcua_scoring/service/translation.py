"""From the event contract to the scoring domain: what each envelope tells about a dossier.

- Intake's lifecycle events give the reception (identity), the end of handling and
  everything counted by its own date.
- Tracking gives the appointment (set, changed, re-appointed after an apology), the
  verdict with the processing time, the apology with its lateness, and the due-soon and
  overdue warnings shown on the dashboard.
- Intake's `ApologyFiled` is not counted: tracking's `ApologyIssued` reports the same
  apology once accepted, with whether it was late, so counting both would count twice.
- Step-level events, escalations and tracking's rejections change no indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from motcua.events import (
    ApologyIssued,
    DeadlineChanged,
    DeadlineSet,
    DossierDueSoon,
    DossierOverdue,
    DossierReceived,
    DossierRefused,
    DossierTransferred,
    DossierVerdictGiven,
    DossierWithdrawn,
    Envelope,
    FinancialObligationPaid,
    FinancialObligationSet,
    ProcessingFinished,
    ResultReturned,
    SatisfactionRated,
    SupplementReceived,
    SupplementRequested,
)
from motcua_scoring import domain as d
from motcua_scoring.adapters.facts_store import Alerts

__all__ = ["Translated", "translate"]


@dataclass(frozen=True)
class Translated:
    """What one envelope adds to a dossier: fact updates, warnings, oddities."""

    code: str
    updates: tuple[d.FactUpdate, ...] = ()
    alerts: Alerts | None = None
    anomalies: tuple[str, ...] = ()


def translate(envelope: Envelope) -> Translated | None:
    """The dossier updates an envelope carries; None for events scoring does not count."""
    code = envelope.dossier_code
    if code is None:
        return None
    at = envelope.occurred_at
    data = envelope.data
    match data:
        case DossierReceived():
            agency, oddities = _agency(envelope)
            identity = d.Identity(
                agency,
                data.procedure.code,
                data.procedure.field,
                data.channel,
                data.unit_code,
            )
            return Translated(code, (d.Received(at, identity, data.digitised),), None, oddities)
        case DossierRefused():
            agency, oddities = _agency(envelope)
            identity = d.Identity(agency, None, None, None, data.unit_code)
            return Translated(code, (d.Refused(at, identity),), None, oddities)
        case DossierTransferred():
            return Translated(code, (d.Transferred(at, data.to_unit),))
        case SupplementRequested():
            return Translated(code, (d.SupplementRequested(at),))
        case SupplementReceived():
            return Translated(code, (d.SupplementReceived(at),))
        case FinancialObligationSet():
            return Translated(code, (d.ObligationSet(at),))
        case FinancialObligationPaid():
            online = data.method == "online"
            method = d.PaymentMethod.ONLINE if online else d.PaymentMethod.COUNTER
            return Translated(code, (d.Paid(at, method),))
        case ProcessingFinished():
            return Translated(code, (d.ProcessingFinished(at, data.e_result_issued),))
        case ResultReturned():
            return Translated(code, (d.ResultReturned(at),))
        case DossierWithdrawn():
            return Translated(code, (d.Withdrawn(at),))
        case SatisfactionRated():
            return Translated(code, (d.Rated(at, data.score, data.complaint),))
        case _:
            return _tracking(code, envelope)


def _tracking(code: str, envelope: Envelope) -> Translated | None:
    at = envelope.occurred_at
    data = envelope.data
    match data:
        case DeadlineSet():
            return Translated(code, (d.DeadlineSet(at, data.appointment_at),))
        case DeadlineChanged() if data.scope == "dossier" and data.new_due_at is not None:
            return Translated(code, (d.DeadlineSet(at, data.new_due_at),))
        case ApologyIssued():
            return Translated(
                code,
                (
                    d.ApologyIssued(data.filed_at, data.late),
                    d.DeadlineSet(at, data.new_appointment_at),
                ),
            )
        case DossierVerdictGiven():
            days = Decimal(str(data.processing_working_days))
            return Translated(code, (d.VerdictGiven(at, data.verdict, days),))
        case DossierDueSoon() if data.scope == "dossier":
            return Translated(code, alerts=Alerts(due_soon_for=data.due_at))
        case DossierOverdue() if data.scope == "dossier":
            return Translated(code, alerts=Alerts(overdue_for=data.due_at))
    return None


def _agency(envelope: Envelope) -> tuple[str, tuple[str, ...]]:
    """The envelope's agency, else the prefix of the dossier code (`<agency>-YYMMDD-NNNN`)."""
    if envelope.agency_code:
        return envelope.agency_code, ()
    code = envelope.dossier_code or ""
    return code.split("-", 1)[0] or "unknown", ("missing_agency",)
