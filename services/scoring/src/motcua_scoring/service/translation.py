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

Each translator is filed under the event types it takes (`_on`); `COUNTED_TYPES` names
them, and the consumer passes over the other types unread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from motcua.calendar_years import COVERED_YEARS
from motcua.catalogue import Procedures
from motcua.events import (
    AlertWithdrawn,
    ApologyIssued,
    ByEventType,
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
    Event,
    FinancialObligationPaid,
    FinancialObligationSet,
    ProcessingFinished,
    ResultReturned,
    SatisfactionRated,
    SupplementReceived,
    SupplementRequested,
)
from motcua_scoring import domain as d

__all__ = ["COUNTED_TYPES", "OUTSIDE_CALENDAR", "Translated", "translate"]

OUTSIDE_CALENDAR = "outside_calendar"


@dataclass(frozen=True)
class Translated:
    """What one envelope adds to a dossier: fact updates and oddities."""

    code: str
    updates: tuple[d.FactUpdate, ...] = ()
    anomalies: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Seen:
    """The envelope being translated, its dossier and time, and the revisions named."""

    code: str
    at: datetime
    envelope: Envelope
    procedures: Procedures

    def adds(self, *updates: d.FactUpdate) -> Translated | None:
        return Translated(self.code, updates) if updates else None


_TRANSLATORS: ByEventType[_Seen, Translated | None] = ByEventType("translators")
"""The translator of each event type counted."""
_on = _TRANSLATORS.on


def translate(envelope: Envelope, procedures: Procedures) -> Translated | None:
    """The dossier updates an envelope carries; None for events scoring does not count.
    `procedures` holds the terms of the revisions its receptions name."""
    code = envelope.dossier_code
    translator = _TRANSLATORS.of(envelope.data)
    if code is None or translator is None:
        return None
    return translator(_Seen(code, envelope.occurred_at, envelope, procedures), envelope.data)


@_on(DossierReceived)
def _received(seen: _Seen, data: DossierReceived) -> Translated:
    if not COVERED_YEARS.covers(seen.at):
        return Translated(seen.code, (), (OUTSIDE_CALENDAR,))
    agency, oddities = _agency(seen.envelope)
    field = seen.procedures.of(data).field
    identity = d.Identity(agency, data.procedure_code, field, data.channel, data.unit_code)
    return Translated(seen.code, (d.Received(seen.at, identity, data.digitised),), oddities)


@_on(DossierRefused)
def _refused(seen: _Seen, data: DossierRefused) -> Translated:
    agency, oddities = _agency(seen.envelope)
    identity = d.Identity(agency, None, None, None, data.unit_code)
    return Translated(seen.code, (d.Refused(seen.at, identity),), oddities)


_AT_ITS_TIME: dict[type[Event], Callable[[datetime], d.FactUpdate]] = {
    SupplementRequested: d.SupplementRequested,
    SupplementReceived: d.SupplementReceived,
    FinancialObligationSet: d.ObligationSet,
    ResultReturned: d.ResultReturned,
    DossierWithdrawn: d.Withdrawn,
}
"""Events whose fact is only that they happened, at their time."""


@_on(*_AT_ITS_TIME)
def _happened(seen: _Seen, data: Event) -> Translated | None:
    return seen.adds(_AT_ITS_TIME[type(data)](seen.at))


@_on(DossierTransferred)
def _transferred(seen: _Seen, data: DossierTransferred) -> Translated | None:
    return seen.adds(d.Transferred(seen.at, data.to_unit))


@_on(FinancialObligationPaid)
def _paid(seen: _Seen, data: FinancialObligationPaid) -> Translated | None:
    online = data.method == "online"
    return seen.adds(d.Paid(seen.at, d.PaymentMethod.ONLINE if online else d.PaymentMethod.COUNTER))


@_on(ProcessingFinished)
def _finished(seen: _Seen, data: ProcessingFinished) -> Translated | None:
    return seen.adds(d.ProcessingFinished(seen.at, data.e_result_issued))


@_on(SatisfactionRated)
def _rated(seen: _Seen, data: SatisfactionRated) -> Translated | None:
    return seen.adds(d.Rated(seen.at, data.score, data.complaint))


@_on(DeadlineSet)
def _deadline_set(seen: _Seen, data: DeadlineSet) -> Translated | None:
    return seen.adds(d.DeadlineSet(seen.at, data.appointment_at))


@_on(DeadlineChanged)
def _deadline_changed(seen: _Seen, data: DeadlineChanged) -> Translated | None:
    if data.scope != "dossier":
        return None
    if data.cause == "apology":
        return seen.adds(d.Reappointed(seen.at, data.new_due_at)) if data.new_due_at else None
    return seen.adds(d.DeadlineSet(seen.at, data.new_due_at, data.revision))


@_on(ApologyIssued)
def _apology(seen: _Seen, data: ApologyIssued) -> Translated | None:
    return seen.adds(
        d.ApologyIssued(data.filed_at, data.late),
        d.Reappointed(seen.at, data.new_appointment_at),
    )


@_on(DossierVerdictGiven)
def _verdict(seen: _Seen, data: DossierVerdictGiven) -> Translated | None:
    days = Decimal(str(data.processing_working_days))
    verdict = d.VerdictGiven(
        seen.at, data.verdict, days, data.apology, data.reappointment_kept, data.revision
    )
    return seen.adds(verdict)


def _alert(seen: _Seen, data: DossierDueSoon | DossierOverdue) -> Translated | None:
    kind = d.AlertKind(data.event_type)
    event_id = str(seen.envelope.event_id)
    return seen.adds(d.AlertFired(seen.at, event_id, kind, data.due_at, data.scope == "dossier"))


_on(DossierDueSoon)(_alert)  # filed once per type: their union is not a type of its own
_on(DossierOverdue)(_alert)


@_on(AlertWithdrawn)
def _alert_withdrawn(seen: _Seen, data: AlertWithdrawn) -> Translated | None:
    kind = d.AlertKind(data.alert_type)
    return seen.adds(d.AlertWithdrawn(seen.at, data.alert_event_id, kind, data.scope == "dossier"))


COUNTED_TYPES: frozenset[str] = _TRANSLATORS.names()
"""The names of the event types translated: the consumer passes over the others unread."""


def _agency(envelope: Envelope) -> tuple[str, tuple[str, ...]]:
    """The envelope's agency, else the prefix of the dossier code (`<agency>-YYMMDD-NNNN`)."""
    if envelope.agency_code:
        return envelope.agency_code, ()
    code = envelope.dossier_code or ""
    return code.split("-", 1)[0] or "unknown", ("missing_agency",)
