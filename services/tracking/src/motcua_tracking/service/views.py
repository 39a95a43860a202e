"""What the look-up API returns: the officials' control slip and the citizen's summary."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ConfigDict, computed_field

from motcua.http import ResponseModel
from motcua_tracking.domain import DossierStatus

__all__ = [
    "AgencyOfficeView",
    "ApologyView",
    "CitizenApologyView",
    "CitizenView",
    "DecisionView",
    "DossierView",
    "HistoryView",
    "PauseView",
    "ProcedureView",
    "StatusView",
    "StepView",
]


class _View(ResponseModel):
    model_config = ConfigDict(frozen=True)


class StatusView(_View):
    """A DVCQG status: its number and its name."""

    code: int
    label: str

    @classmethod
    def of(cls, status: DossierStatus) -> StatusView:
        """The view of a status."""
        return cls(code=int(status), label=status.label_vi)


class ProcedureView(_View):
    """The procedure a dossier follows."""

    code: str
    name: str


class StepView(_View):
    """A row of the control slip (phiếu kiểm soát quá trình giải quyết hồ sơ)."""

    seq: int
    step_code: str | None
    unit_code: str
    started_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    handed_to: str | None
    verdict: str | None
    note: str | None


class PauseView(_View):
    """A supplement request and when the complete dossier arrived."""

    requested_at: datetime
    resumed_at: datetime | None


class ApologyView(_View):
    """The accepted apology and re-appointment (form 04).

    `filed_at` and `original_due_at` are the names the apology's request and the
    `tracking.apology-issued` event use; `issued_at` and `original_appointment_at` are
    their former names, still returned (deprecated).
    """

    reason: str
    original_due_at: datetime | None
    new_appointment_at: datetime
    filed_at: datetime
    late: bool

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `original_due_at`.", json_schema_extra={"deprecated": True}
    )
    @property
    def original_appointment_at(self) -> datetime | None:
        """Deprecated: `original_due_at`."""
        return self.original_due_at

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `filed_at`.", json_schema_extra={"deprecated": True}
    )
    @property
    def issued_at(self) -> datetime:
        """Deprecated: `filed_at`."""
        return self.filed_at


class HistoryView(_View):
    """One line of the dossier's history."""

    at: datetime
    event: str
    unit_code: str | None
    detail: str | None


class DossierView(_View):
    """Everything tracking knows about a dossier, for officials.

    `appointment_at` is the appointment printed on the receipt; `due_at` the statutory
    appointment with the supplement pauses applied (what the verdict is judged against;
    None while a supplement is awaited); `new_appointment_at` the new appointment an
    apology promised (the name of the apology's own field), a separate promise that never
    changes the verdict; `reappointed_to` its former name, still returned (deprecated).
    `standing` is where an open dossier stands now against `due_at` (`within_deadline`,
    `due_soon`, `overdue`; None once finished), by the rule scoring's open-dossier list
    and overdue count use.
    `revision` grows each time a late-arriving event made tracking rebuild the dossier
    from its events.
    """

    code: str
    agency_code: str
    agency_name: str | None = None
    """The agency's current name as intake publishes it (None until it is known)."""
    status: StatusView
    procedure: ProcedureView
    received_at: datetime
    counting_from: datetime
    appointment_at: datetime
    due_at: datetime | None
    new_appointment_at: datetime | None
    supplement_policy: str
    holder_unit: str
    steps: list[StepView]
    pauses: list[PauseView]
    apology: ApologyView | None
    apology_required_at: datetime | None
    escalations: list[str]
    finished_at: datetime | None
    ended_by: str | None
    verdict: str | None
    standing: str | None
    responsible_unit: str | None
    result_returned_at: datetime | None
    history: list[HistoryView]
    revision: int

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `new_appointment_at`.", json_schema_extra={"deprecated": True}
    )
    @property
    def reappointed_to(self) -> datetime | None:
        """Deprecated: `new_appointment_at`."""
        return self.new_appointment_at


class CitizenApologyView(_View):
    """The apology as the citizen sees it (`issued_at`: the former name of `filed_at`)."""

    reason: str
    new_appointment_at: datetime
    filed_at: datetime

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `filed_at`.", json_schema_extra={"deprecated": True}
    )
    @property
    def issued_at(self) -> datetime:
        """Deprecated: `filed_at`."""
        return self.filed_at


class CitizenView(_View):
    """What a citizen may see of their dossier: no personal data, no internal units.

    `appointment_at` is the statutory appointment with the waits for the citizen's
    papers added; `new_appointment_at` the new appointment promised in an apology, if any
    (`reappointed_to`: its former name, deprecated);
    `standing` whether the open dossier is within the deadline, due soon or overdue now.
    """

    code: str
    status: StatusView
    procedure_name: str
    received_at: datetime
    appointment_at: datetime | None
    new_appointment_at: datetime | None
    awaiting_supplement: bool
    standing: str | None
    apology: CitizenApologyView | None
    finished_at: datetime | None

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `new_appointment_at`.", json_schema_extra={"deprecated": True}
    )
    @property
    def reappointed_to(self) -> datetime | None:
        """Deprecated: `new_appointment_at`."""
        return self.new_appointment_at


class DecisionView(_View):
    """A yearly decision in force."""

    year: int
    source: str
    origin: str
    revision: int | None
    loaded_at: datetime | None
    days_off: list[dict[str, str]]
    make_up_working_days: list[dict[str, str]]
    notes: list[str]


class AgencyOfficeView(_View):
    """An agency as tracking uses it: its name and the office hours and cut-off its
    deadlines are computed with (`source`: `published` by intake, else `settings`)."""

    code: str
    name: str | None
    office_hours: list[tuple[str, str]]
    late_cutoff: str | None
    source: str
    retired_at: datetime | None = None
    merged_into: str | None = None
    merged_on: date | None = None
