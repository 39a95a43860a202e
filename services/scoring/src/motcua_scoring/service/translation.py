"""From the event contract to the scoring domain: what each envelope tells about a dossier.

- Intake's lifecycle events give the reception (identity), the end of handling and
  everything counted by its own date.
- Tracking gives the statutory appointment (set, moved, paused for a supplement: no due
  time), the verdict with the processing time, the apology it found and the
  re-appointment kept or broken, the apology with its lateness, and the due-soon and
  overdue warnings (and their withdrawals) shown on the dashboard and counted.
- An apology's new appointment (`ApologyIssued`, `DeadlineChanged(cause="apology")`) is
  a promise kept as its own fact, never the deadline a dossier is judged by: an apology
  does not erase lateness (brief, decision 5).
- A correction (a higher `revision`) of a due time or a verdict replaces the earlier one.
- Intake's `ApologyFiled` is not counted: tracking's `ApologyIssued` reports the same
  apology once accepted, with whether it was late, so counting both would count twice.
- Step-level due times and verdicts, escalations and tracking's rejections change no
  indicator; a step's overdue warning is counted with the dossier's alerts.
- A reception outside the working calendar's years (`motcua.calendar_years`) is left
  out with the anomaly `outside_calendar`: tracking cannot track such a dossier (it
  dead-letters its events), so it is counted nowhere rather than as received and never
  resolved; its later events find no identity and count nowhere either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from motcua.calendar_years import COVERED_YEARS
from motcua.catalogue import Procedures
from motcua.events import (
    AlertWithdrawn,
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

__all__ = ["OUTSIDE_CALENDAR", "Translated", "translate"]

OUTSIDE_CALENDAR = "outside_calendar"


@dataclass(frozen=True)
class Translated:
    """What one envelope adds to a dossier: fact updates and oddities."""

    code: str
    updates: tuple[d.FactUpdate, ...] = ()
    anomalies: tuple[str, ...] = ()


def translate(envelope: Envelope, procedures: Procedures) -> Translated | None:
    """The dossier updates an envelope carries; None for events scoring does not count.
    `procedures` holds the terms of the revisions its receptions name."""
    code = envelope.dossier_code
    if code is None:
        return None
    at = envelope.occurred_at
    data = envelope.data
    match data:
        case DossierReceived() if not COVERED_YEARS.covers(at):
            return Translated(code, (), (OUTSIDE_CALENDAR,))
        case DossierReceived():
            agency, oddities = _agency(envelope)
            identity = d.Identity(
                agency,
                data.procedure_code,
                procedures.of(data).field,
                data.channel,
                data.unit_code,
            )
            return Translated(code, (d.Received(at, identity, data.digitised),), oddities)
        case DossierRefused():
            agency, oddities = _agency(envelope)
            identity = d.Identity(agency, None, None, None, data.unit_code)
            return Translated(code, (d.Refused(at, identity),), oddities)
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
    updates = _tracking_updates(envelope)
    return Translated(code, updates) if updates else None


def _tracking_updates(envelope: Envelope) -> tuple[d.FactUpdate, ...]:
    at = envelope.occurred_at
    data = envelope.data
    match data:
        case DeadlineSet():
            return (d.DeadlineSet(at, data.appointment_at),)
        case DeadlineChanged() if data.scope == "dossier" and data.cause == "apology":
            return (d.Reappointed(at, data.new_due_at),) if data.new_due_at else ()
        case DeadlineChanged() if data.scope == "dossier":
            return (d.DeadlineSet(at, data.new_due_at, data.revision),)
        case ApologyIssued():
            return (
                d.ApologyIssued(data.filed_at, data.late),
                d.Reappointed(at, data.new_appointment_at),
            )
        case DossierVerdictGiven():
            return (_verdict(at, data),)
        case DossierDueSoon() | DossierOverdue():
            return (_alert(envelope, data),)
        case AlertWithdrawn():
            kind = d.AlertKind(data.alert_type)
            withdrawn = d.AlertWithdrawn(at, data.alert_event_id, kind, data.scope == "dossier")
            return (withdrawn,)
    return ()


def _verdict(at: datetime, data: DossierVerdictGiven) -> d.VerdictGiven:
    days = Decimal(str(data.processing_working_days))
    return d.VerdictGiven(
        at, data.verdict, days, data.apology, data.reappointment_kept, data.revision
    )


def _alert(envelope: Envelope, data: DossierDueSoon | DossierOverdue) -> d.AlertFired:
    kind = d.AlertKind(data.event_type)
    dossier = data.scope == "dossier"
    return d.AlertFired(envelope.occurred_at, str(envelope.event_id), kind, data.due_at, dossier)


def _agency(envelope: Envelope) -> tuple[str, tuple[str, ...]]:
    """The envelope's agency, else the prefix of the dossier code (`<agency>-YYMMDD-NNNN`)."""
    if envelope.agency_code:
        return envelope.agency_code, ()
    code = envelope.dossier_code or ""
    return code.split("-", 1)[0] or "unknown", ("missing_agency",)
