"""Response shapes of the JSON API, for validation and the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = [
    "FigureNames",
    "IndicatorsView",
    "OpenDossiersView",
    "RankingsView",
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
    """Scope keys of one kind."""

    kind: str
    items: list[str]


class FigureNames(BaseModel):
    """Every figure name; those that rank lowest first."""

    figures: list[str]
    lower_is_better: list[str]


class OpenDossier(BaseModel):
    """An open dossier and where it stands (no personal data)."""

    code: str
    agency: str | None
    unit: str | None
    procedure: str | None
    received_at: str
    due_at: str | None
    state: str
    alerts: list[str]


class OpenDossiersView(BaseModel):
    """Open dossiers, soonest due first."""

    now: str
    scope: str
    items: list[OpenDossier]


class TrendView(BaseModel):
    """The day's figures as they changed."""

    now: str
    scope: str
    period: str
    points: list[dict[str, str | int | float | None]] = Field(
        description="`at`, `seq` and the day's figures as of that change."
    )
