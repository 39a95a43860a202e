"""Query parameters shared by the routes: scopes and periods, checked and parsed."""

from __future__ import annotations

from datetime import date, datetime

from motcua.http import FIRST_DAY, LAST_DAY, ProblemError, Violation
from motcua_scoring import domain as d
from motcua_scoring.domain.periods import calendar_periods_of, local_date, range_period

__all__ = ["RELATIVE_PERIODS", "parse_periods", "parse_scopes"]

RELATIVE_PERIODS = ("today", "month", "quarter", "year")


def parse_scopes(keys: list[str], default: d.Scope = d.PROVINCE) -> list[d.Scope]:
    """Scope keys such as `agency:STP`; the province when none is given."""
    try:
        return [d.parse_scope(key) for key in keys] or [default]
    except ValueError as exc:
        raise _refused("scope", "invalid_scope", f"bad scope: {exc}") from None


def parse_periods(
    keys: list[str], first: date | None, last: date | None, now: datetime
) -> list[d.Period]:
    """Period keys, relative words (`today`, `month`, `quarter`, `year`, on the service's
    clock) and a `from`/`to` range; this month when nothing is given."""
    current = dict(zip(RELATIVE_PERIODS, calendar_periods_of(local_date(now)), strict=True))
    periods: list[d.Period] = []
    try:
        for key in keys:
            periods.append(current[key] if key in current else d.parse_period(key))
        if first is not None or last is not None:
            if first is None or last is None:
                raise ValueError("give both `from` and `to`")
            periods.append(range_period(first, last))
    except ValueError as exc:
        raise _refused("period", "invalid_period", f"bad period: {exc}") from None
    for period in periods:
        if period.first > period.last:
            raise _refused("period", "invalid_period", f"{period.key} ends before it starts")
        if period.first < FIRST_DAY or period.last > LAST_DAY:
            raise _refused("period", "period_out_of_range", f"{period.key} is not within 2000–2099")
    return periods or [current["month"]]


def _refused(parameter: str, code: str, detail: str) -> ProblemError:
    return ProblemError(422, code, detail, [Violation(f"/query/{parameter}", code, detail)])
