"""Response shapes of the JSON API, for validation and the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, computed_field

__all__ = [
    "FigureNames",
    "IndicatorsView",
    "OpenDossiersView",
    "RankingsView",
    "ResolvedDossiersView",
    "ScopesView",
    "TrendView",
]

Number = float | int | None


class HistogramBar(BaseModel):
    """Dossiers resolved in this many working days (by half days)."""

    days: float | int
    dossiers: int


class ComponentScore(BaseModel):
    """A Decision 766 component."""

    code: str
    name: str
    max_points: Number
    points: Number
    computable: bool
    unconfirmed: bool


class GroupScore(BaseModel):
    """A Decision 766 group of components."""

    name: str
    max_points: Number
    points: Number
    scored_max: Number
    scaled: Number
    components: list[ComponentScore]


class Decision766(BaseModel):
    """Decision 766 points, as far as events allow."""

    points: Number
    scored_max: Number
    groups: list[GroupScore]


class IndicatorReport(BaseModel):
    """One scope in one period."""

    scope: str
    name: str | None = Field(
        default=None, description="The agency's or unit's name as intake publishes it."
    )
    period: str
    kind: str
    first: str
    last: str
    as_of: str
    figures: dict[str, Number]
    processing_histogram: list[HistogramBar]
    decision766: Decision766


class IndicatorsView(BaseModel):
    """Indicators, and the change-log position they reflect."""

    now: str
    last_event_id: int
    items: list[IndicatorReport]


class RankedScope(BaseModel):
    """A scope's rank (None: no value) and companion figures. Equal values are ordered
    by volume (dossiers resolved); `tied` when another scope has the same value and
    volume, and so the same rank (shown as "=")."""

    rank: int | None
    tied: bool = False
    volume: int = 0
    scope: str
    code: str
    name: str | None = None
    value: Number
    figures: dict[str, Number]


class RankingsView(BaseModel):
    """Scopes ranked by one figure in one period."""

    now: str
    period: str
    kind: str
    figure: str
    higher_is_better: bool
    items: list[RankedScope]


class ScopesView(BaseModel):
    """Scope keys of one kind, and the names intake published for agencies and units."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "agency",
                    "items": ["agency:STP", "agency:SXD"],
                    "names": {"agency:STP": "Sở Tư pháp"},
                }
            ]
        }
    )

    kind: str
    items: list[str]
    names: dict[str, str] = Field(
        default_factory=dict,
        description="Name by scope key, for the agencies and units intake named "
        "(`intake.agencies.v1`); a scope without one is shown by its code.",
    )


class FigureNames(BaseModel):
    """Every figure name; those that rank lowest first."""

    figures: list[str]
    lower_is_better: list[str]


class _FormerCodeNames(BaseModel):
    """`agency`, `unit` and `procedure`: the former names of the `*_code` fields (the
    names intake's requests and every event use), still returned (deprecated)."""

    agency_code: str | None
    unit_code: str | None
    procedure_code: str | None

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `agency_code`.", json_schema_extra={"deprecated": True}
    )
    @property
    def agency(self) -> str | None:
        """Deprecated: `agency_code`."""
        return self.agency_code

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `unit_code`.", json_schema_extra={"deprecated": True}
    )
    @property
    def unit(self) -> str | None:
        """Deprecated: `unit_code`."""
        return self.unit_code

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `procedure_code`.", json_schema_extra={"deprecated": True}
    )
    @property
    def procedure(self) -> str | None:
        """Deprecated: `procedure_code`."""
        return self.procedure_code


class OpenDossier(_FormerCodeNames):
    """An open dossier and where it stands (no personal data)."""

    code: str
    received_at: str
    due_at: str | None
    state: str
    alerts: list[str]


class OpenDossiersView(BaseModel):
    """Open dossiers, soonest due first."""

    now: str
    scope: str
    items: list[OpenDossier]


class ResolvedDossier(_FormerCodeNames):
    """A dossier resolved in the period and the counts it is in (no personal data)."""

    code: str
    agency_name: str | None = None
    unit_name: str | None = None
    procedure_name: str | None = None
    received_at: str | None
    due_at: str | None = Field(description="The statutory appointment it was judged by.")
    resolved_at: str = Field(
        description="When handling ended: finished, else returned, else refused or withdrawn."
    )
    verdict: str = Field(description="Tracking's verdict: `early`, `on_time` or `late`.")
    processing_days: float
    apology: str = Field(
        description="The apology (form 04) tracking found: `not_needed`, `in_time`, `late` "
        "or `missing`."
    )
    new_appointment_at: str | None = Field(
        description="The new appointment an apology promised (the apology's own field name)."
    )
    reappointment_kept: bool | None
    categories: list[str] = Field(
        description="The figures of `/v1/indicators` the dossier counts in: "
        "`resolved_early`, `resolved_on_time`, `resolved_late`, "
        "`resolved_late_with_apology`, `resolved_late_without_apology`, "
        "`reappointments_kept`, `reappointments_broken`."
    )

    @computed_field(  # type: ignore[prop-decorator]
        description="Former name of `new_appointment_at`.", json_schema_extra={"deprecated": True}
    )
    @property
    def reappointed_to(self) -> str | None:
        """Deprecated: `new_appointment_at`."""
        return self.new_appointment_at


class ResolvedDossiersView(BaseModel):
    """Dossiers of a scope resolved in a period, latest resolved first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "now": "2026-11-21T10:00:00+07:00",
                    "scope": "agency:STP",
                    "period": "2026-11",
                    "first": "2026-11-01",
                    "last": "2026-11-30",
                    "category": "resolved_late_without_apology",
                    "counts": {
                        "resolved_early": 1,
                        "resolved_on_time": 1,
                        "resolved_late": 1,
                        "resolved_late_with_apology": 0,
                        "resolved_late_without_apology": 1,
                        "reappointments_kept": 0,
                        "reappointments_broken": 0,
                    },
                    "total": 1,
                    "items": [
                        {
                            "code": "STP-261109-0009",
                            "agency_code": "STP",
                            "agency_name": "Sở Tư pháp",
                            "unit_code": "B",
                            "unit_name": "Phòng Hành chính tư pháp",
                            "procedure_code": "2.000908",
                            "procedure_name": "Cấp Phiếu lý lịch tư pháp",
                            "received_at": "2026-10-20T09:00:00+07:00",
                            "due_at": "2026-10-30T17:00:00+07:00",
                            "resolved_at": "2026-11-20T09:00:00+07:00",
                            "verdict": "late",
                            "processing_days": 15.0,
                            "apology": "missing",
                            "new_appointment_at": None,
                            "reappointment_kept": None,
                            "categories": ["resolved_late", "resolved_late_without_apology"],
                        }
                    ],
                }
            ]
        }
    )

    now: str
    scope: str
    period: str
    first: str
    last: str
    category: str | None = Field(description="The category listed; None: every resolved one.")
    counts: dict[str, int] = Field(
        description="Dossiers in each category, equal to the figures of the same name in "
        "`/v1/indicators` for the scope and period."
    )
    total: int = Field(description="Dossiers in the category listed (before `limit`).")
    items: list[ResolvedDossier]


class TrendView(BaseModel):
    """The day's figures as they changed."""

    now: str
    scope: str
    period: str
    points: list[dict[str, str | int | float | None]] = Field(
        description="`at`, `seq` and the day's figures as of that change."
    )
