"""Business gauges per agency, refreshed from the counter table (so every process agrees)."""

from __future__ import annotations

import math

from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.clock import Clock
from motcua.loops import Step
from motcua_scoring import domain as d
from motcua_scoring.adapters.metrics import (
    AGENCY_LATE,
    AGENCY_ON_TIME,
    AGENCY_OPEN,
    AGENCY_OVERDUE,
    AGENCY_OVERDUE_ALERTS,
    AGENCY_REAPPOINTMENTS,
)
from motcua_scoring.adapters.scope_store import known_scopes
from motcua_scoring.domain.periods import calendar_periods_of, local_date
from motcua_scoring.service.evaluation import evaluate_many
from motcua_scoring.settings import ScoringSettings

__all__ = ["gauge_step", "refresh_gauges"]


async def refresh_gauges(engine: AsyncEngine, clock: Clock, settings: ScoringSettings) -> None:
    """Open, overdue (now); on-time rate, late with and without an apology,
    re-appointments kept and broken, overdue alerts sent and withdrawn (this month) of
    each known agency."""
    now = clock.now()
    month = calendar_periods_of(local_date(now))[1]
    async with engine.connect() as conn:
        keys = await known_scopes(conn, d.ScopeKind.AGENCY.value, settings.gauges.max_agencies)
        evaluated = await evaluate_many(
            conn, [(d.parse_scope(k), month) for k in keys], now, settings.feed.earliest_year
        )
    for ind in evaluated.values():
        agency = ind.scope.value
        AGENCY_OPEN.labels(agency).set(ind.in_progress)
        AGENCY_OVERDUE.labels(agency).set(ind.in_progress_overdue)
        rate = d.rates(ind).on_time
        AGENCY_ON_TIME.labels(agency).set(math.nan if rate is None else float(rate))
        AGENCY_LATE.labels(agency, "with").set(ind.resolved_late_with_apology)
        AGENCY_LATE.labels(agency, "without").set(ind.resolved_late_without_apology)
        AGENCY_REAPPOINTMENTS.labels(agency, "kept").set(ind.reappointments_kept)
        AGENCY_REAPPOINTMENTS.labels(agency, "broken").set(ind.reappointments_broken)
        AGENCY_OVERDUE_ALERTS.labels(agency, "sent").set(ind.overdue_alerts)
        AGENCY_OVERDUE_ALERTS.labels(agency, "withdrawn").set(ind.overdue_alerts_withdrawn)


def gauge_step(engine: AsyncEngine, clock: Clock, settings: ScoringSettings) -> Step:
    """One refresh of the gauges, as a supervised loop's step."""

    async def step() -> float:
        await refresh_gauges(engine, clock, settings)
        return float(settings.gauges.refresh_seconds)

    return step
